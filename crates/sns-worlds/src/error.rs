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
    /// A character other than `0 1 r g c` in the map. The message names invisible characters
    /// (`tab`, `NUL`, `U+FEFF byte order mark`, `U+XXXX` for other controls and spaces) rather than
    /// printing them raw.
    #[error("{file}:{line}:{col}: unexpected character {} (a map uses 1 wall, 0 free, r start, g goal, c either)", char_name(*.ch))]
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
    /// The map file is not UTF-8 text.
    #[error("{file}:{line}:{col}: not UTF-8 text (byte 0x{byte:02x})")]
    BadUtf8 {
        /// Map source.
        file: String,
        /// 1-based line of the first invalid byte.
        line: usize,
        /// 1-based column (in characters) of the first invalid byte.
        col: usize,
        /// The first invalid byte.
        byte: u8,
    },
    /// The map file is larger than [`crate::maze::MAX_MAP_BYTES`].
    #[error("{file}: map file too large: more than {limit} bytes (a map of 4096x4095 cells fits)")]
    TooLarge {
        /// Map source.
        file: String,
        /// The limit in bytes.
        limit: u64,
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

/// A character as a map error shows it: printable ones quoted, invisible ones by name.
pub(crate) fn char_name(ch: char) -> String {
    match ch {
        '\t' => "tab".into(),
        '\0' => "NUL".into(),
        '\u{feff}' => "U+FEFF byte order mark".into(),
        c if c.is_control() || c.is_whitespace() || c == '\u{200b}' => {
            format!("U+{:04X}", c as u32)
        }
        c => format!("'{c}'"),
    }
}
