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
    /// The bucket index of a coordinate.
    fn index(v: Real) -> i64 {
        (v / BUCKET).floor() as i64
    }
    fn key(p: Vec2) -> (i64, i64) {
        (Self::index(p.x), Self::index(p.y))
    }
    /// Inserts item `i` at `p`.
    pub fn insert(&mut self, p: Vec2, i: usize) {
        self.buckets.entry(Self::key(p)).or_default().push(i);
    }
    /// Whether `f` holds for some item numbered `from` or more whose bucket overlaps the box
    /// `[lo, hi]`: the reference the band query is tested against (the failure model uses the
    /// band).
    #[cfg(test)]
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
            if self.any_in_column_since(x, y0..=y1, from, &mut f) {
                return true;
            }
        }
        false
    }

    /// Whether `f` holds for some item numbered `from` or more in the buckets of column `x`
    /// and rows `ys`, visiting only the items since `from` (the newest last in each bucket).
    fn any_in_column_since(
        &self,
        x: i64,
        ys: std::ops::RangeInclusive<i64>,
        from: usize,
        f: &mut impl FnMut(usize) -> bool,
    ) -> bool {
        ys.into_iter().any(|y| {
            self.buckets.get(&(x, y)).is_some_and(|v| {
                debug_assert!(v.windows(2).all(|w| w[0] < w[1]), "inserted in order");
                v.iter().rev().take_while(|&&i| i >= from).any(|&i| f(i))
            })
        })
    }

    /// About how many buckets [`SpatialHash::any_near_segment_since`] visits for the band of
    /// half-width `m` around `a -> b` (a cost estimate, not a bound).
    pub fn band_buckets(a: Vec2, b: Vec2, m: Real) -> usize {
        let along = (a.x - b.x).abs().max((a.y - b.y).abs()) / BUCKET + 1.0;
        let across = 2.0 * m / BUCKET + 2.0;
        (along * across) as usize
    }

    /// Whether `f` holds for some item numbered `from` or more whose bucket overlaps the band of
    /// half-width `m` around the segment `a -> b` (a superset of the items within `m` of it).
    /// The buckets are visited column by column, each column over the part of the band that
    /// crosses it, so a query costs what the band covers (its length times its width, in
    /// buckets), not the segment's bounding box, which for a long diagonal line grows with its
    /// square. Items inserted in increasing number (as contacts are) sit in each bucket in that
    /// order, so only the items since `from` are visited.
    pub fn any_near_segment_since(
        &self,
        a: Vec2,
        b: Vec2,
        m: Real,
        from: usize,
        mut f: impl FnMut(usize) -> bool,
    ) -> bool {
        let (x0, x1) = (Self::index(a.x.min(b.x) - m), Self::index(a.x.max(b.x) + m));
        let dx = b.x - a.x;
        for x in x0..=x1 {
            // The part of the segment whose x lies within `m` of the column, as parameters.
            let (c0, c1) = (x as Real * BUCKET - m, (x + 1) as Real * BUCKET + m);
            let (t0, t1) = if dx.abs() < 1e-12 {
                (0.0, 1.0)
            } else {
                let (u, v) = ((c0 - a.x) / dx, (c1 - a.x) / dx);
                (u.min(v).max(0.0), u.max(v).min(1.0))
            };
            if t0 > t1 {
                continue;
            }
            let (ya, yb) = (a.y + (b.y - a.y) * t0, a.y + (b.y - a.y) * t1);
            let (y0, y1) = (Self::index(ya.min(yb) - m), Self::index(ya.max(yb) + m));
            if self.any_in_column_since(x, y0..=y1, from, &mut f) {
                return true;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The band query finds every item within its half-width of the segment (what the box
    /// query of the segment's grown bounding box finds there), on segments of every direction
    /// and length, the degenerate ones included.
    #[test]
    fn the_band_holds_every_item_near_the_segment() {
        let mut rnd = crate::testutil::uniform(7);
        let mut h = SpatialHash::default();
        let pts: Vec<Vec2> = (0..3000)
            .map(|_| Vec2::new(rnd() * 60.0 - 30.0, rnd() * 60.0 - 30.0))
            .collect();
        for (i, p) in pts.iter().enumerate() {
            h.insert(*p, i);
        }
        let (mut near, mut visited_band, mut visited_box) = (0, 0, 0);
        for k in 0..400 {
            let a = Vec2::new(rnd() * 60.0 - 30.0, rnd() * 60.0 - 30.0);
            let b = match k % 4 {
                0 => a,
                1 => Vec2::new(a.x, rnd() * 60.0 - 30.0),
                2 => Vec2::new(rnd() * 60.0 - 30.0, a.y),
                _ => Vec2::new(rnd() * 60.0 - 30.0, rnd() * 60.0 - 30.0),
            };
            let m = rnd() * 1.5;
            let from = (rnd() * 100.0) as usize;
            let mut band = Vec::new();
            h.any_near_segment_since(a, b, m, from, |i| {
                band.push(i);
                false
            });
            visited_band += band.len();
            let lo = Vec2::new(a.x.min(b.x), a.y.min(b.y)) - Vec2::new(m, m);
            let hi = Vec2::new(a.x.max(b.x), a.y.max(b.y)) + Vec2::new(m, m);
            h.any_in_since(lo, hi, from, |_| {
                visited_box += 1;
                false
            });
            for (i, p) in pts.iter().enumerate().skip(from) {
                let d = b - a;
                let t = ((*p - a).dot(d) / d.dot(d).max(1e-300)).clamp(0.0, 1.0);
                if p.dist(a + d * t) <= m {
                    near += 1;
                    assert!(band.contains(&i), "item {i} at {p:?} near {a:?} -> {b:?}");
                }
            }
            // Stopping at the first hit.
            let first = band.first().copied();
            let mut seen = None;
            let hit = h.any_near_segment_since(a, b, m, from, |i| {
                seen = Some(i);
                true
            });
            assert_eq!(hit, first.is_some());
            assert_eq!(seen, first);
        }
        assert!(near > 1000, "{near} items near the segments");
        assert!(
            visited_band * 3 < visited_box,
            "the band visits fewer items: {visited_band} against {visited_box}"
        );
    }
}
