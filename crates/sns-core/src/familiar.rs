//! Familiar space: where the body has been.
//!
//! Optimism habituates once routes are proven (see [`crate::MazeParams::habituation`]), but only
//! for novel behaviours: an untried straight move that stays close to where the body has already
//! been goes through space the agent has, in effect, already crossed, and keeps its initial
//! optimism. This lets later trials join and straighten the pieces of route the earlier trials
//! travelled, without being drawn into unknown space.
//!
//! The memory is a set of visited cells (side [`CELL`]); each newly visited cell marks every cell
//! whose centre lies within the familiarity radius (plus half a cell's diagonal) of its own as
//! *near*, so that testing a segment costs one lookup per sample. Familiar space is therefore the
//! space within the radius of where the body has been, accurate to about one cell.

use crate::fxhash::FxHashSet;
use sns_worlds::{Real, Vec2};
use std::cell::Cell;

/// Side of a memory cell, in metres.
pub const CELL: Real = 0.15;

/// The set of places near where the body has been.
#[derive(Debug, Clone, Default)]
pub struct FamiliarSpace {
    radius: Real,
    visited: FxHashSet<(i64, i64)>,
    /// Visited cells in the order they were first visited.
    order: Vec<(i64, i64)>,
    near: FxHashSet<(i64, i64)>,
}

fn key(p: Vec2) -> (i64, i64) {
    ((p.x / CELL).floor() as i64, (p.y / CELL).floor() as i64)
}

impl FamiliarSpace {
    /// An empty memory in which space within `radius` of a visited place is familiar.
    pub fn new(radius: Real) -> Self {
        FamiliarSpace {
            radius,
            ..Default::default()
        }
    }

    /// Remembers that the body was at `p`; returns whether its cell was new.
    pub fn visit(&mut self, p: Vec2) -> bool {
        let (i, j) = key(p);
        if !self.visited.insert((i, j)) {
            return false;
        }
        self.order.push((i, j));
        // Cells whose centres lie within the radius (plus half a cell's diagonal) of this cell's
        // centre.
        let m = (self.radius / CELL).ceil() as i64;
        let reach = self.radius / CELL + std::f64::consts::FRAC_1_SQRT_2;
        for di in -m..=m {
            for dj in -m..=m {
                if ((di * di + dj * dj) as Real).sqrt() <= reach {
                    self.near.insert((i + di, j + dj));
                }
            }
        }
        true
    }

    /// The familiarity radius, in metres.
    pub fn radius(&self) -> Real {
        self.radius
    }

    /// Centres of the cells first visited after the first `since` ones, in visiting order.
    pub fn cells_since(&self, since: usize) -> impl Iterator<Item = Vec2> + '_ {
        self.order[since.min(self.order.len())..]
            .iter()
            .map(|&(i, j)| Vec2::new((i as Real + 0.5) * CELL, (j as Real + 0.5) * CELL))
    }

    /// Number of cells visited so far (grows with every new one: a cache key).
    pub fn visited_cells(&self) -> usize {
        self.visited.len()
    }

    /// Whether a cell visited after the first `since` ones may have made part of the segment
    /// `a -> b` familiar (conservative: `true` when in doubt).
    pub fn changed_near(&self, since: usize, a: Vec2, b: Vec2) -> bool {
        let new = &self.order[since.min(self.order.len())..];
        if new.len() > 32 {
            return true;
        }
        // A visited cell makes familiar the cells whose centres are within the radius plus half a
        // diagonal of its centre; a sample in such a cell is within one more half diagonal.
        let m = self.radius + 2.0 * CELL;
        let (lo, hi) = (
            Vec2::new(a.x.min(b.x) - m, a.y.min(b.y) - m),
            Vec2::new(a.x.max(b.x) + m, a.y.max(b.y) + m),
        );
        new.iter().any(|&(i, j)| {
            let c = Vec2::new((i as Real + 0.5) * CELL, (j as Real + 0.5) * CELL);
            c.x >= lo.x && c.x <= hi.x && c.y >= lo.y && c.y <= hi.y
        })
    }

    /// Whether `p` is familiar.
    pub fn contains(&self, p: Vec2) -> bool {
        self.near.contains(&key(p))
    }

    /// Whether the whole segment `a -> b` is familiar (sampled every half cell).
    pub fn covers(&self, a: Vec2, b: Vec2) -> bool {
        let n = (a.dist(b) / (CELL / 2.0)).ceil().max(1.0) as usize;
        (0..=n).all(|k| self.contains(a + (b - a) * (k as Real / n as Real)))
    }
}

/// Per-edge cache of [`FamiliarSpace::covers`]: familiarity only grows, so an edge is re-tested
/// only when new cells were visited since its last test, and never again once familiar.
#[derive(Debug, Clone, Default)]
pub struct FamiliarCache {
    checked: Cell<usize>,
    familiar: Cell<bool>,
}

impl FamiliarCache {
    /// Whether the segment `a -> b` of this edge is familiar in `space`.
    pub fn get(&self, space: &FamiliarSpace, a: Vec2, b: Vec2) -> bool {
        let n = space.visited_cells();
        if !self.familiar.get() && self.checked.get() < n {
            if space.changed_near(self.checked.get(), a, b) {
                self.familiar.set(space.covers(a, b));
            }
            self.checked.set(n);
        }
        self.familiar.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_near_the_visited_path_is_familiar_and_far_space_is_not() {
        let mut f = FamiliarSpace::new(0.3);
        for k in 0..=20 {
            assert!(f.visit(Vec2::new(k as Real * 0.1, 0.0)) || k > 0);
        }
        assert!(!f.visit(Vec2::new(0.0, 0.0)), "a cell is new only once");
        assert!(f.covers(Vec2::new(0.0, 0.0), Vec2::new(2.0, 0.0)));
        assert!(f.covers(Vec2::new(0.0, 0.2), Vec2::new(2.0, -0.2)));
        assert!(!f.covers(Vec2::new(0.0, 0.0), Vec2::new(2.0, 1.0)));
        assert!(!f.contains(Vec2::new(1.0, 0.6)));
        assert!(!f.contains(Vec2::new(3.0, 0.0)));
    }

    #[test]
    fn the_cache_follows_the_memory() {
        let mut f = FamiliarSpace::new(0.3);
        let c = FamiliarCache::default();
        let (a, b) = (Vec2::new(0.0, 0.0), Vec2::new(1.0, 0.0));
        f.visit(a);
        assert!(!c.get(&f, a, b));
        f.visit(Vec2::new(0.5, 0.0));
        f.visit(Vec2::new(5.0, 5.0));
        assert!(f.changed_near(1, a, b), "a visit nearby");
        assert!(
            !f.changed_near(2, a, b),
            "a visit far away changes nothing here"
        );
        assert!(!c.get(&f, a, b));
        f.visit(b);
        assert!(f.changed_near(3, a, b));
        assert!(c.get(&f, a, b), "re-tested after new visits nearby");
    }

    /// The shortcut never changes an answer: every segment's cached familiarity equals a fresh
    /// test after any sequence of visits.
    #[test]
    fn the_cache_agrees_with_a_fresh_test() {
        let mut f = FamiliarSpace::new(0.3);
        let segs: Vec<(Vec2, Vec2)> = (0..60)
            .map(|k| {
                let t = k as Real * 0.37;
                let a = Vec2::new(t.sin() * 2.0, (t * 1.3).cos() * 2.0);
                (a, a + Vec2::new((t * 2.1).cos(), (t * 0.7).sin()))
            })
            .collect();
        let caches: Vec<FamiliarCache> = segs.iter().map(|_| FamiliarCache::default()).collect();
        for step in 0..3000 {
            let t = step as Real * 0.01;
            f.visit(Vec2::new(2.0 * (t * 0.9).sin(), 2.0 * (t * 1.7).cos()));
            if step % 7 == 0 {
                for ((a, b), c) in segs.iter().zip(&caches) {
                    assert_eq!(c.get(&f, *a, *b), f.covers(*a, *b));
                }
            }
        }
        assert!(caches
            .iter()
            .zip(&segs)
            .any(|(c, (a, b))| c.get(&f, *a, *b)));
    }
}
