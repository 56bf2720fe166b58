//! Test maps shared by the property tests.

use proptest::prelude::*;
use sns_worlds::maze::MazeMap;

/// A random enclosed map of `sides` rows and columns, each inner cell a wall with probability
/// `1 / k` (`k` drawn from `walls`), cell (1, 1) always free: diagonal pinches, one-cell pockets
/// and dead ends all occur.
pub fn random_map(
    sides: std::ops::Range<usize>,
    walls: std::ops::Range<u8>,
) -> impl Strategy<Value = MazeMap> {
    (sides.clone(), sides, walls).prop_flat_map(|(rows, cols, k)| {
        proptest::collection::vec(0u8..k, rows * cols).prop_map(move |bits| {
            let mut text = String::new();
            for r in 0..rows {
                for c in 0..cols {
                    let border = r == 0 || c == 0 || r + 1 == rows || c + 1 == cols;
                    let wall = border || (bits[r * cols + c] == 0 && (r, c) != (1, 1));
                    text.push(if wall { '1' } else { '0' });
                }
                text.push('\n');
            }
            MazeMap::parse("random", &text).expect("a random enclosed map is valid")
        })
    })
}
