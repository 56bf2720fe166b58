//! Maze maps in the PointMaze text encoding, their geometry, and the built-in layouts.
//!
//! Encoding (Gymnasium-Robotics): `1` wall block, `0` free, `r` reset (start) cell, `g` goal cell,
//! `c` either. Row `i` goes top to bottom, column `j` left to right. Cells are 1 m squares and the
//! map is centred on the origin: cell `(i, j)` has centre `x = (j + 0.5) - W/2`, `y = H/2 - (i + 0.5)`.

use crate::error::WorldError;
use crate::math::{Aabb, Real, Vec2};
use serde::Serialize;

/// The largest map file [`MazeMap::load`] reads, in bytes (16 MiB: a map of 4096x4095 cells with its
/// line ends). Larger files, and endless ones such as `/dev/zero`, are refused after reading at
/// most this much; [`MazeMap::parse`] refuses longer texts too.
pub const MAX_MAP_BYTES: u64 = 16 * 1024 * 1024;

/// Side of one maze cell in metres (PointMaze's `maze_size_scaling`).
pub const CELL_SIZE: Real = 1.0;

/// What one cell of the map is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Cell {
    /// A wall block.
    Wall,
    /// Free space.
    Free,
    /// Free, a start candidate (`r`).
    Reset,
    /// Free, a goal candidate (`g`).
    Goal,
    /// Free, both a start and a goal candidate (`c`).
    Combined,
}

impl Cell {
    /// Whether the ball may be in this cell.
    pub fn is_free(self) -> bool {
        self != Cell::Wall
    }
    fn from_char(c: char) -> Option<Cell> {
        Some(match c {
            '1' => Cell::Wall,
            '0' => Cell::Free,
            'r' | 'R' => Cell::Reset,
            'g' | 'G' => Cell::Goal,
            'c' | 'C' => Cell::Combined,
            _ => return None,
        })
    }
    fn to_char(self) -> char {
        match self {
            Cell::Wall => '1',
            Cell::Free => '0',
            Cell::Reset => 'r',
            Cell::Goal => 'g',
            Cell::Combined => 'c',
        }
    }
}

/// A grid cell address `(row, col)`.
pub type CellIx = (usize, usize);

/// A rectangular maze map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MazeMap {
    /// Name (built-in name or file path).
    pub name: String,
    rows: usize,
    cols: usize,
    cells: Vec<Cell>,
}

/// Built-in maps: (name, description, text).
pub const BUILTIN: &[(&str, &str, &str)] = &[
    ("u", "PointMaze_UMaze (5x5)", "11111\n10001\n11101\n10001\n11111\n"),
    ("open", "PointMaze_Open (5x7)", "1111111\n1000001\n1000001\n1000001\n1111111\n"),
    (
        "medium",
        "PointMaze_Medium (8x8)",
        "11111111\n10011001\n10010001\n11000111\n10010001\n10100101\n10001001\n11111111\n",
    ),
    (
        "large",
        "PointMaze_Large (9x12)",
        "111111111111\n100001000001\n101101010101\n100000010001\n101111011101\n100101000001\n110101010111\n100100010001\n111111111111\n",
    ),
    (
        "giant",
        "OGBench giant (12x16)",
        "1111111111111111\n1010000001100001\n1010110101001101\n1000100100010001\n1011101111110101\n1000100010000101\n1110101001010111\n1000100100010001\n1010101111110101\n1011100010001101\n1000001000100001\n1111111111111111\n",
    ),
];

/// OGBench fixed evaluation tasks (start cell, goal cell) for the maps that have them.
pub fn ogbench_tasks(name: &str) -> Option<[(CellIx, CellIx); 5]> {
    match name {
        "medium" => Some([
            ((1, 1), (6, 6)),
            ((6, 1), (1, 6)),
            ((5, 3), (4, 2)),
            ((6, 5), (6, 1)),
            ((2, 6), (1, 1)),
        ]),
        "large" => Some([
            ((1, 1), (7, 10)),
            ((5, 4), (7, 1)),
            ((7, 4), (1, 10)),
            ((3, 8), (5, 4)),
            ((1, 1), (5, 4)),
        ]),
        "giant" => Some([
            ((1, 1), (10, 14)),
            ((1, 14), (10, 1)),
            ((8, 14), (1, 1)),
            ((8, 3), (5, 12)),
            ((5, 9), (3, 8)),
        ]),
        _ => None,
    }
}

/// PointMaze's own episode time limit for a built-in map, in steps.
pub fn pointmaze_time_limit(name: &str) -> Option<u64> {
    match name {
        "u" | "open" => Some(300),
        "medium" => Some(600),
        "large" => Some(800),
        "giant" => Some(1500),
        _ => None,
    }
}

/// The 1-based line and column (in characters) of byte `at` of `bytes`, whose first `at` bytes are
/// valid UTF-8.
fn line_col(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

impl MazeMap {
    /// Parses a map from text; `source` names the file (or built-in) in error messages.
    ///
    /// Blank lines and trailing white space are ignored; every other line is one row. Texts longer
    /// than [`MAX_MAP_BYTES`] are refused before anything is allocated.
    pub fn parse(source: &str, text: &str) -> Result<MazeMap, WorldError> {
        if text.len() as u64 > MAX_MAP_BYTES {
            return Err(WorldError::TooLarge {
                file: source.to_string(),
                limit: MAX_MAP_BYTES,
            });
        }
        let mut rows: Vec<(usize, Vec<Cell>)> = Vec::new();
        for (lineno, line) in text.lines().enumerate() {
            let line = line.trim_end();
            if line.trim().is_empty() {
                continue;
            }
            let mut row = Vec::with_capacity(line.len());
            for (col, ch) in line.chars().enumerate() {
                match Cell::from_char(ch) {
                    Some(c) => row.push(c),
                    None => {
                        return Err(WorldError::BadChar {
                            file: source.to_string(),
                            line: lineno + 1,
                            col: col + 1,
                            ch,
                        })
                    }
                }
            }
            if let Some((_, first)) = rows.first() {
                if row.len() != first.len() {
                    return Err(WorldError::Ragged {
                        file: source.to_string(),
                        line: lineno + 1,
                        col: row.len().min(first.len()) + 1,
                        expected: first.len(),
                        found: row.len(),
                    });
                }
            }
            rows.push((lineno + 1, row));
        }
        let nrows = rows.len();
        let ncols = rows.first().map_or(0, |r| r.1.len());
        if nrows < 3 || ncols < 3 {
            return Err(WorldError::TooSmall {
                file: source.to_string(),
                rows: nrows,
                cols: ncols,
            });
        }
        for (i, (line, row)) in rows.iter().enumerate() {
            for (j, c) in row.iter().enumerate() {
                let border = i == 0 || j == 0 || i + 1 == nrows || j + 1 == ncols;
                if border && c.is_free() {
                    return Err(WorldError::OpenBorder {
                        file: source.to_string(),
                        line: *line,
                        col: j + 1,
                    });
                }
            }
        }
        let cells: Vec<Cell> = rows.into_iter().flat_map(|(_, r)| r).collect();
        if !cells.iter().any(|c| c.is_free()) {
            return Err(WorldError::NoFreeCell {
                file: source.to_string(),
            });
        }
        Ok(MazeMap {
            name: source.to_string(),
            rows: nrows,
            cols: ncols,
            cells,
        })
    }

    /// A built-in map by name (`u`, `open`, `medium`, `large`, `giant`).
    pub fn builtin(name: &str) -> Option<MazeMap> {
        BUILTIN
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(n, _, text)| {
                // The built-in texts are constants checked by a unit test.
                MazeMap::parse(n, text)
                    .unwrap_or_else(|e| panic!("built-in map {n} is invalid: {e}"))
            })
    }

    /// A built-in map by name, a generated maze by spec (`perfect:41x41:3`, see
    /// [`crate::generate::from_spec`]), or else a map file by path.
    ///
    /// The file is read through a reader bounded by [`MAX_MAP_BYTES`], so an endless or huge file
    /// is refused after reading at most that much; text that is not UTF-8 is refused with the line
    /// and column of its first invalid byte.
    pub fn load(name_or_path: &str) -> Result<MazeMap, WorldError> {
        use std::io::Read;
        if let Some(m) = MazeMap::builtin(name_or_path) {
            return Ok(m);
        }
        if let Some(generated) = crate::generate::from_spec(name_or_path) {
            return generated;
        }
        let path = std::path::Path::new(name_or_path);
        if !path.exists() {
            return Err(WorldError::UnknownMaze(name_or_path.to_string()));
        }
        let io = |e: std::io::Error| WorldError::Io {
            file: name_or_path.to_string(),
            reason: e.to_string(),
        };
        let too_large = || WorldError::TooLarge {
            file: name_or_path.to_string(),
            limit: MAX_MAP_BYTES,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        // A regular file's size is known at once; devices and pipes report 0 and are bounded below.
        if file.metadata().map_err(io)?.len() > MAX_MAP_BYTES {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        file.take(MAX_MAP_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > MAX_MAP_BYTES {
            return Err(too_large());
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            let bytes = e.as_bytes();
            let at = e.utf8_error().valid_up_to();
            let (line, col) = line_col(bytes, at);
            WorldError::BadUtf8 {
                file: name_or_path.to_string(),
                line,
                col,
                byte: bytes[at],
            }
        })?;
        MazeMap::parse(name_or_path, &text)
    }

    /// Number of rows (H).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns (W).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The cell at `(row, col)`; cells outside the map read as walls.
    pub fn cell(&self, row: i64, col: i64) -> Cell {
        if row < 0 || col < 0 || row as usize >= self.rows || col as usize >= self.cols {
            Cell::Wall
        } else {
            self.cells[row as usize * self.cols + col as usize]
        }
    }

    /// Whether `(row, col)` is a wall (outside counts as wall).
    pub fn is_wall(&self, row: i64, col: i64) -> bool {
        !self.cell(row, col).is_free()
    }

    /// Sets a cell (used by changing-world scenarios).
    pub fn set_cell(&mut self, (row, col): CellIx, cell: Cell) {
        if row < self.rows && col < self.cols {
            self.cells[row * self.cols + col] = cell;
        }
    }

    /// Centre of cell `(row, col)` in world coordinates.
    pub fn cell_to_xy(&self, (row, col): CellIx) -> Vec2 {
        Vec2::new(
            (col as Real + 0.5) * CELL_SIZE - self.cols as Real * CELL_SIZE / 2.0,
            self.rows as Real * CELL_SIZE / 2.0 - (row as Real + 0.5) * CELL_SIZE,
        )
    }

    /// The cell containing world point `p` (may be out of range, hence signed).
    pub fn xy_to_cell(&self, p: Vec2) -> (i64, i64) {
        let col = ((p.x + self.cols as Real * CELL_SIZE / 2.0) / CELL_SIZE).floor() as i64;
        let row = ((self.rows as Real * CELL_SIZE / 2.0 - p.y) / CELL_SIZE).floor() as i64;
        (row, col)
    }

    /// The axis-aligned box of the whole map (`W x H` cells centred on the origin); everything
    /// outside it reads as wall.
    pub fn bounds(&self) -> Aabb {
        let (hw, hh) = (
            self.cols as Real * CELL_SIZE / 2.0,
            self.rows as Real * CELL_SIZE / 2.0,
        );
        Aabb {
            min: Vec2::new(-hw, -hh),
            max: Vec2::new(hw, hh),
        }
    }

    /// The axis-aligned box of cell `(row, col)`.
    pub fn cell_box(&self, row: i64, col: i64) -> Aabb {
        let x0 = col as Real * CELL_SIZE - self.cols as Real * CELL_SIZE / 2.0;
        let y1 = self.rows as Real * CELL_SIZE / 2.0 - row as Real * CELL_SIZE;
        Aabb {
            min: Vec2::new(x0, y1 - CELL_SIZE),
            max: Vec2::new(x0 + CELL_SIZE, y1),
        }
    }

    /// Wall boxes whose cells overlap the square of half-side `reach` around `p`.
    pub fn walls_near(&self, p: Vec2, reach: Real, out: &mut Vec<Aabb>) {
        out.clear();
        let (r0, c0) = self.xy_to_cell(Vec2::new(p.x - reach, p.y + reach));
        let (r1, c1) = self.xy_to_cell(Vec2::new(p.x + reach, p.y - reach));
        for r in r0..=r1 {
            for c in c0..=c1 {
                if self.is_wall(r, c) {
                    out.push(self.cell_box(r, c));
                }
            }
        }
    }

    /// Distance from `p` to the nearest wall (searching `reach` metres around it; `reach` if none).
    pub fn wall_distance(&self, p: Vec2, reach: Real) -> Real {
        let mut boxes = Vec::new();
        self.walls_near(p, reach, &mut boxes);
        boxes
            .iter()
            .map(|b| b.dist_to_point(p))
            .fold(reach, Real::min)
    }

    /// All free cells, row-major.
    pub fn free_cells(&self) -> Vec<CellIx> {
        self.cells_where(|c| c.is_free())
    }

    /// The cells satisfying `pred`, row-major.
    pub fn cells_where(&self, pred: impl Fn(Cell) -> bool) -> Vec<CellIx> {
        let mut v = Vec::new();
        for r in 0..self.rows {
            for c in 0..self.cols {
                if pred(self.cells[r * self.cols + c]) {
                    v.push((r, c));
                }
            }
        }
        v
    }

    /// The map as text in the PointMaze encoding.
    pub fn to_text(&self) -> String {
        let mut s = String::with_capacity((self.cols + 1) * self.rows);
        for r in 0..self.rows {
            for c in 0..self.cols {
                s.push(self.cells[r * self.cols + c].to_char());
            }
            s.push('\n');
        }
        s
    }

    /// Checks that `(row, col)` is inside the map and free. The indices are unsigned, as the user
    /// wrote them: a signed cast would report `18446744073709551615` as `-1`.
    pub fn check_free(&self, what: &str, row: usize, col: usize) -> Result<CellIx, WorldError> {
        let bad = |reason: &str| WorldError::BadCell {
            what: what.to_string(),
            row,
            col,
            reason: reason.to_string(),
        };
        if row >= self.rows || col >= self.cols {
            return Err(bad(&format!(
                "is out of the {}x{} map",
                self.rows, self.cols
            )));
        }
        // In range, so both fit in an i64.
        if self.is_wall(row as i64, col as i64) {
            return Err(bad("is a wall"));
        }
        Ok((row, col))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: `--start 18446744073709551615,1` was reported as cell (-1,1).
    #[test]
    fn a_huge_cell_index_is_reported_as_given() {
        let m = MazeMap::builtin("u").expect("u");
        let e = m
            .check_free("start", usize::MAX, 1)
            .expect_err("out of the map");
        assert!(
            e.to_string().contains(&format!("({},1)", usize::MAX)),
            "{e}"
        );
    }

    #[test]
    fn builtins_parse_and_have_expected_sizes() {
        let sizes = [
            ("u", 5, 5),
            ("open", 5, 7),
            ("medium", 8, 8),
            ("large", 9, 12),
            ("giant", 12, 16),
        ];
        for (n, r, c) in sizes {
            let m = MazeMap::builtin(n).expect("builtin");
            assert_eq!((m.rows(), m.cols()), (r, c), "{n}");
        }
    }

    #[test]
    fn bounds_hold_every_cell_and_touch_the_corner_cells() {
        let m = MazeMap::builtin("large").expect("builtin");
        let b = m.bounds();
        assert_eq!(b.min, m.cell_box(m.rows() as i64 - 1, 0).min);
        assert_eq!(b.max, m.cell_box(0, m.cols() as i64 - 1).max);
        assert_eq!((b.max - b.min), Vec2::new(12.0, 9.0));
    }

    #[test]
    fn cell_xy_roundtrip_matches_pointmaze() {
        let m = MazeMap::builtin("large").expect("builtin");
        // PointMaze: x = (j + 0.5) - W/2, y = H/2 - (i + 0.5).
        assert_eq!(m.cell_to_xy((1, 1)), Vec2::new(1.5 - 6.0, 4.5 - 1.5));
        for r in 0..m.rows() {
            for c in 0..m.cols() {
                let p = m.cell_to_xy((r, c));
                assert_eq!(m.xy_to_cell(p), (r as i64, c as i64));
            }
        }
    }

    #[test]
    fn parse_errors_name_line_and_column() {
        let e = MazeMap::parse("f.txt", "111\n1x1\n111\n").expect_err("invalid map");
        assert_eq!(
            e.to_string().split(':').take(3).collect::<Vec<_>>(),
            vec!["f.txt", "2", "2"]
        );
        let e = MazeMap::parse("f.txt", "111\n10\n111\n").expect_err("invalid map");
        assert!(matches!(e, WorldError::Ragged { line: 2, .. }), "{e}");
        let e = MazeMap::parse("f.txt", "111\n100\n111\n").expect_err("invalid map");
        assert!(
            matches!(
                e,
                WorldError::OpenBorder {
                    line: 2,
                    col: 3,
                    ..
                }
            ),
            "{e}"
        );
        let e = MazeMap::parse("f.txt", "111\n111\n111\n").expect_err("invalid map");
        assert!(matches!(e, WorldError::NoFreeCell { .. }), "{e}");
        let e = MazeMap::parse("f.txt", "").expect_err("invalid map");
        assert!(matches!(e, WorldError::TooSmall { .. }), "{e}");
    }

    #[test]
    fn invisible_characters_are_named_not_printed() {
        for (text, name, (line, col)) in [
            ("\u{feff}111\n101\n111\n", "U+FEFF byte order mark", (1, 1)),
            ("111\n1\t1\n111\n", "tab", (2, 2)),
            ("111\n101\n11\u{0}\n", "NUL", (3, 3)),
            ("111\n10\u{1b}1\n111\n", "U+001B", (2, 3)),
        ] {
            let e = MazeMap::parse("m.txt", text).expect_err("invalid map");
            let msg = e.to_string();
            assert!(
                msg.starts_with(&format!(
                    "m.txt:{line}:{col}: unexpected character {name} ("
                )),
                "{msg}"
            );
            assert!(
                !msg.contains(['\t', '\0', '\u{feff}', '\u{1b}']),
                "raw: {msg:?}"
            );
            assert_eq!(msg.lines().count(), 1);
        }
        let e = MazeMap::parse("m.txt", "111\n1x1\n111\n").expect_err("invalid map");
        assert!(e.to_string().contains("unexpected character 'x'"), "{e}");
    }

    fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("sns-maze-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write temp map");
        path
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let path = temp_file("latin1.txt", b"11111\n10\xe901\n11111\n");
        let p = path.to_string_lossy().to_string();
        let e = MazeMap::load(&p).expect_err("not UTF-8");
        assert_eq!(
            e,
            WorldError::BadUtf8 {
                file: p.clone(),
                line: 2,
                col: 3,
                byte: 0xe9
            }
        );
        assert_eq!(
            e.to_string(),
            format!("{p}:2:3: not UTF-8 text (byte 0xe9)")
        );
        // Multi-byte characters before it count as one column each.
        let path = temp_file("utf8.txt", "\u{e9}\u{e9}".as_bytes());
        let mut bytes = std::fs::read(&path).expect("read");
        bytes.push(0xff);
        std::fs::write(&path, &bytes).expect("write");
        let e = MazeMap::load(&path.to_string_lossy()).expect_err("not UTF-8");
        assert!(
            matches!(
                e,
                WorldError::BadUtf8 {
                    line: 1,
                    col: 3,
                    byte: 0xff,
                    ..
                }
            ),
            "{e}"
        );
        for p in [p.into(), path] {
            std::fs::remove_file(p).expect("remove temp map");
        }
    }

    #[test]
    fn oversized_and_endless_map_files_are_refused_without_reading_them_whole() {
        // A file just over the limit (sparse: it takes no disk space) is refused by its size.
        let path = temp_file("huge.txt", b"");
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .expect("open");
        f.set_len(MAX_MAP_BYTES + 1).expect("set_len");
        let e = MazeMap::load(&path.to_string_lossy()).expect_err("too large");
        assert!(
            matches!(
                e,
                WorldError::TooLarge {
                    limit: MAX_MAP_BYTES,
                    ..
                }
            ),
            "{e}"
        );
        assert_eq!(e.to_string().lines().count(), 1);
        std::fs::remove_file(path).expect("remove temp map");
        // An endless device reports no size: the bounded read stops at the limit.
        if std::path::Path::new("/dev/zero").exists() {
            let e = MazeMap::load("/dev/zero").expect_err("endless");
            assert!(matches!(e, WorldError::TooLarge { .. }), "{e}");
        }
        // Text given directly is held to the same limit.
        let big = "1".repeat(MAX_MAP_BYTES as usize + 1);
        assert!(matches!(
            MazeMap::parse("big", &big),
            Err(WorldError::TooLarge { .. })
        ));
    }
}
