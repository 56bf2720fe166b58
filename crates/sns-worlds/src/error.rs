//! Typed errors of the worlds crate.

use thiserror::Error;

/// Everything that can go wrong when loading or configuring a world.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum WorldError {
    /// The maze name is neither a built-in map nor a readable file.
    #[error("unknown maze '{0}': not a built-in map (see `sns mazes`) and no such file")]
    UnknownMaze(String),
    /// A generated-maze spec (`perfect:41x41:3`) whose arguments are wrong.
    #[error("generated maze '{spec}': {reason} (see `sns mazes` for the generators)")]
    BadGenerator {
        /// The spec as given.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The map file could not be read.
    #[error("{file}: cannot read: {reason}")]
    Io {
        /// Path of the file.
        file: String,
        /// The operating system's message.
        reason: String,
    },
    /// A character other than `0 1 r g c` in the map.
    #[error("{file}:{line}:{col}: unexpected character '{ch}' (a map uses 1 wall, 0 free, r start, g goal, c either)")]
    BadChar {
        /// Map source.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// The character found.
        ch: char,
    },
    /// A row whose length differs from the first row's.
    #[error("{file}:{line}:{col}: ragged row: {found} cells where the first row has {expected}")]
    Ragged {
        /// Map source.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column where the row ends or overflows.
        col: usize,
        /// Expected row length.
        expected: usize,
        /// Found row length.
        found: usize,
    },
    /// A border cell that is not a wall.
    #[error("{file}:{line}:{col}: border cell is not a wall ('1'); the map must be enclosed")]
    OpenBorder {
        /// Map source.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
    },
    /// The map is too small or empty.
    #[error("{file}: map too small: {rows}x{cols} (at least 3x3 is needed)")]
    TooSmall {
        /// Map source.
        file: String,
        /// Rows found.
        rows: usize,
        /// Columns found.
        cols: usize,
    },
    /// The map has no free cell.
    #[error("{file}: the map has no free cell")]
    NoFreeCell {
        /// Map source.
        file: String,
    },
    /// A requested cell is out of the map or on a wall.
    #[error("{what} cell ({row},{col}) {reason}")]
    BadCell {
        /// Which cell ("start" or "goal").
        what: String,
        /// Row.
        row: usize,
        /// Column.
        col: usize,
        /// What is wrong.
        reason: String,
    },
    /// An OGBench task was asked for on a map that has none, or out of range.
    #[error("task {task}: {reason}")]
    BadTask {
        /// Task number asked for.
        task: u32,
        /// What is wrong.
        reason: String,
    },
    /// An exact ball state given to [`crate::env::MazeEnv::reset_to`] is unusable.
    #[error("ball state: {reason}")]
    BadState {
        /// What is wrong.
        reason: String,
    },
    /// A scenario file is malformed.
    #[error("{file}: {reason}")]
    Scenario {
        /// Scenario file.
        file: String,
        /// What is wrong (with line and column where known).
        reason: String,
    },
}
