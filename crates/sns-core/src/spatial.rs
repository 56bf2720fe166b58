//! A spatial hash of points: the coarse prefilter behind every "what is near here" question of
//! the substrates (places) and of the failure model (remembered contacts).

use crate::fxhash::FxHashMap;
use sns_worlds::{Real, Vec2};

/// Side of a bucket in metres. A fact of the index's layout, not of the algorithm: every query
/// filters the buckets' items exactly, so the answers do not depend on it, only their speed.
const BUCKET: Real = 0.5;

/// A spatial hash of points.
#[derive(Debug, Clone, Default)]
pub struct SpatialHash {
    buckets: FxHashMap<(i64, i64), Vec<usize>>,
}

impl SpatialHash {
    fn key(p: Vec2) -> (i64, i64) {
        ((p.x / BUCKET).floor() as i64, (p.y / BUCKET).floor() as i64)
    }
    /// Inserts item `i` at `p`.
    pub fn insert(&mut self, p: Vec2, i: usize) {
        self.buckets.entry(Self::key(p)).or_default().push(i);
    }
    /// Whether `f` holds for some item numbered `from` or more whose bucket overlaps the box
    /// `[lo, hi]`. Items inserted in increasing number (as contacts are) sit in each bucket in
    /// that order, so only the items since `from` are visited: an incremental query costs what
    /// was added since, not what the buckets hold.
    pub fn any_in_since(
        &self,
        lo: Vec2,
        hi: Vec2,
        from: usize,
        mut f: impl FnMut(usize) -> bool,
    ) -> bool {
        let (x0, y0) = Self::key(lo);
        let (x1, y1) = Self::key(hi);
        for x in x0..=x1 {
            for y in y0..=y1 {
                if let Some(v) = self.buckets.get(&(x, y)) {
                    debug_assert!(v.windows(2).all(|w| w[0] < w[1]), "inserted in order");
                    if v.iter().rev().take_while(|&&i| i >= from).any(|&i| f(i)) {
                        return true;
                    }
                }
            }
        }
        false
    }

    /// Calls `f` for every item whose bucket overlaps the box `[lo, hi]`.
    pub fn for_each_in(&self, lo: Vec2, hi: Vec2, mut f: impl FnMut(usize)) {
        let (x0, y0) = Self::key(lo);
        let (x1, y1) = Self::key(hi);
        for x in x0..=x1 {
            for y in y0..=y1 {
                if let Some(v) = self.buckets.get(&(x, y)) {
                    v.iter().for_each(|&i| f(i));
                }
            }
        }
    }
}
