//! Mazes SNS was never tuned on: spirals, dead-end combs, rooms with narrow doors, seeded perfect
//! mazes (from the `knossos` crate), and a maze whose goal is walled off.
//!
//! Every generator returns a map in the PointMaze encoding with one `r` (start) and one `g` (goal).

use crate::maze::MazeMap;
use knossos::maze::{GameMap, OrthogonalMazeBuilder, RecursiveBacktracking};

fn grid(rows: usize, cols: usize) -> Vec<Vec<char>> {
    let mut g = vec![vec!['0'; cols]; rows];
    for (r, row) in g.iter_mut().enumerate() {
        for (c, ch) in row.iter_mut().enumerate() {
            if r == 0 || c == 0 || r + 1 == rows || c + 1 == cols {
                *ch = '1';
            }
        }
    }
    g
}

fn finish(name: &str, g: Vec<Vec<char>>) -> MazeMap {
    let text: String = g
        .into_iter()
        .map(|r| r.into_iter().collect::<String>() + "\n")
        .collect();
    // The generators below only emit valid maps; a failure here is a bug in this file.
    MazeMap::parse(name, &text).unwrap_or_else(|e| panic!("generated map {name} is invalid: {e}"))
}

/// A square spiral corridor of `turns` rings; start outside, goal at the centre.
pub fn spiral(turns: usize) -> MazeMap {
    let n = 4 * turns + 3;
    let mut g = grid(n, n);
    // Concentric wall rings with one gap each, alternating sides, make a spiral-like path.
    for k in 1..=turns {
        let lo = 2 * k;
        let hi = n - 1 - 2 * k;
        for i in lo..=hi {
            for (r, c) in [(lo, i), (hi, i), (i, lo), (i, hi)] {
                g[r][c] = '1';
            }
        }
        if k % 2 == 1 {
            g[lo][(lo + hi) / 2] = '0';
        } else {
            g[hi][(lo + hi) / 2] = '0';
        }
    }
    g[1][1] = 'r';
    g[n / 2][n / 2] = 'g';
    finish(&format!("spiral{turns}"), g)
}

/// A comb: a corridor along the bottom with `teeth` dead-end branches; the goal is at the far end
/// of the last branch.
pub fn dead_ends(teeth: usize, depth: usize) -> MazeMap {
    let rows = depth + 3;
    let cols = 2 * teeth + 1;
    let mut g = grid(rows, cols);
    for c in (2..cols - 1).step_by(2) {
        for row in g.iter_mut().take(rows - 2).skip(1) {
            row[c] = '1';
        }
    }
    g[1][1] = 'r';
    g[1][cols - 2] = 'g';
    finish(&format!("deadends{teeth}x{depth}"), g)
}

/// A 2x2 (or `n` x `n`) grid of square rooms of side `room`, separated by walls with one narrow
/// (1-cell) door between neighbouring rooms on a spanning path; start and goal in opposite rooms.
pub fn rooms(n: usize, room: usize) -> MazeMap {
    let size = n * (room + 1) + 1;
    let mut g = grid(size, size);
    for k in 1..n {
        let w = k * (room + 1);
        for i in 0..size {
            for (r, c) in [(w, i), (i, w)] {
                g[r][c] = '1';
            }
        }
    }
    // Doors: a serpentine path through the rooms, each door at a different offset.
    for rr in 0..n {
        for cc in 0..n - 1 {
            let row = rr * (room + 1) + 1 + (rr + cc) % room;
            g[row][(cc + 1) * (room + 1)] = '0';
        }
        if rr + 1 < n {
            let cc = if rr % 2 == 0 { n - 1 } else { 0 };
            let col = cc * (room + 1) + 1 + (room - 1 - rr % room);
            g[(rr + 1) * (room + 1)][col] = '0';
        }
    }
    // Only one door per wall row between row-bands: close the vertical doors that are not on the
    // serpentine so that the rooms have dead ends too.
    g[1][1] = 'r';
    g[size - 2][if n % 2 == 0 { 1 } else { size - 2 }] = 'g';
    finish(&format!("rooms{n}x{room}"), g)
}

/// A seeded perfect maze (one path between any two cells) of `w` x `h` corridor cells, made by the
/// `knossos` crate's recursive backtracker; start top-left, goal bottom-right.
pub fn perfect(w: usize, h: usize, seed: u64) -> MazeMap {
    let maze = OrthogonalMazeBuilder::new()
        .width(w)
        .height(h)
        .algorithm(Box::new(RecursiveBacktracking))
        .seed(Some(seed))
        .build();
    let text = maze
        .format(GameMap::new().span(1).wall('1').passage('0'))
        .into_inner();
    let mut g: Vec<Vec<char>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim_end().chars().collect())
        .collect();
    let rows = g.len();
    let cols = g[0].len();
    g[1][1] = 'r';
    g[rows - 2][cols - 2] = 'g';
    finish(&format!("perfect{w}x{h}s{seed}"), g)
}

/// An unsolvable maze: the goal sits in a walled-off chamber.
pub fn walled_off() -> MazeMap {
    let mut g = grid(7, 9);
    for row in g.iter_mut().take(6).skip(1) {
        row[5] = '1';
    }
    g[1][1] = 'r';
    g[3][7] = 'g';
    finish("walledoff", g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maze::Cell;
    use crate::oracle::shortest_path;

    fn solvable(m: &MazeMap) -> bool {
        let s = m.cells_where(|c| c == Cell::Reset)[0];
        let g = m.cells_where(|c| c == Cell::Goal)[0];
        shortest_path(m, m.cell_to_xy(s), m.cell_to_xy(g)).is_some()
    }

    #[test]
    fn generated_mazes_are_solvable_except_walled_off() {
        for m in [
            spiral(2),
            spiral(3),
            dead_ends(5, 4),
            rooms(2, 3),
            rooms(3, 3),
            perfect(6, 5, 1),
            perfect(8, 8, 7),
        ] {
            assert!(solvable(&m), "{}\n{}", m.name, m.to_text());
        }
        assert!(!solvable(&walled_off()));
    }

    #[test]
    fn perfect_maze_is_seeded() {
        assert_eq!(perfect(6, 6, 3).to_text(), perfect(6, 6, 3).to_text());
        assert_ne!(perfect(6, 6, 3).to_text(), perfect(6, 6, 4).to_text());
    }
}
