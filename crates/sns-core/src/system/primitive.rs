//! Action primitives and their enumeration by simplicity.
//!
//! A primitive is a constant action (a *level*) held for at most `duration` steps, or until the
//! state leaves the place it started in. Primitives are enumerated by *depth*: depth 0 holds the
//! bang-bang levels (the corners of the action box) for the longest duration; depth `k` adds the
//! levels of the dyadic grid of spacing `range / 2^k` and the durations `max_hold / 2^k`. Within a
//! depth, longer holds come first, then coarser levels, then the box's order. With a discrete set
//! of levels (`Task::levels`), each level gets the depth of the coarsest dyadic grid it lies on
//! (Acrobot's -1 and +1 are depth 0, its 0 is depth 1).

use super::SystemError;
use sns_spaces::{BoxSpace, Point};

/// One action primitive: hold `level` for at most `duration` steps, or until the state leaves
/// its place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Primitive<const A: usize> {
    /// The action held.
    pub level: Point<A>,
    /// Index of `level` in [`Primitives::levels`] (outcomes are learned per level).
    pub level_index: usize,
    /// The longest hold, in steps.
    pub duration: u32,
    /// The simplicity depth: 0 for bang-bang levels held longest; each depth halves the level
    /// spacing and the duration.
    pub depth: u32,
}

/// The ordered list of primitives up to a maximum depth.
#[derive(Debug, Clone)]
pub struct Primitives<const A: usize> {
    levels: Vec<(Point<A>, u32)>,
    list: Vec<Primitive<A>>,
    /// `upto[k]`: how many primitives have depth `<= k`.
    upto: Vec<usize>,
    /// The levels' indices in the order of their first coordinate, and each level's place in
    /// that order (the neighbours of a level on a one-dimensional action).
    by_value: Vec<usize>,
    rank: Vec<usize>,
}

/// How finely a discrete level is tested against a dyadic grid (relative to the box's range).
const ON_GRID: f64 = 1e-9;

impl<const A: usize> Primitives<A> {
    /// The primitives of the action box `actions` (or of the discrete `levels`) up to
    /// `max_depth`, with holds of at most `max_hold` steps.
    pub fn new(
        actions: &BoxSpace<A>,
        levels: Option<&[Point<A>]>,
        max_hold: u32,
        max_depth: u32,
    ) -> Result<Self, SystemError> {
        let (low, high) = (actions.low(), actions.high());
        if A == 0 || (0..A).any(|i| !(low[i].is_finite() && high[i].is_finite())) {
            return Err(SystemError::BadActions);
        }
        let depth_of = |p: &Point<A>| -> u32 {
            (0..=max_depth)
                .find(|&k| {
                    (0..A).all(|i| {
                        let range = high[i] - low[i];
                        if range == 0.0 {
                            return true;
                        }
                        let j = (p[i] - low[i]) / range * f64::from(1u32 << k);
                        (j - j.round()).abs() <= ON_GRID * f64::from(1u32 << k)
                    })
                })
                .unwrap_or(max_depth)
        };
        let mut lv: Vec<(Point<A>, u32)> = match levels {
            Some(given) => {
                if given.is_empty() {
                    return Err(SystemError::BadActions);
                }
                for p in given {
                    if !actions.contains(p) {
                        return Err(SystemError::BadActions);
                    }
                }
                given.iter().map(|p| (*p, depth_of(p))).collect()
            }
            None => {
                let mut out: Vec<(Point<A>, u32)> = Vec::new();
                for k in 0..=max_depth {
                    let n = 1u64 << k;
                    let count = (n + 1).pow(A as u32);
                    for c in 0..count {
                        let mut rest = c;
                        let mut p = [0.0; A];
                        for (i, pi) in p.iter_mut().enumerate() {
                            let j = rest % (n + 1);
                            rest /= n + 1;
                            *pi = low[i] + (high[i] - low[i]) * j as f64 / n as f64;
                        }
                        if depth_of(&p) == k && !out.iter().any(|(q, _)| q == &p) {
                            out.push((p, k));
                        }
                    }
                }
                out
            }
        };
        // Coarse levels first, the given (or box) order within a depth.
        lv.sort_by_key(|&(_, d)| d);
        let mut list = Vec::new();
        let mut upto = Vec::new();
        for k in 0..=max_depth {
            for shorten in 0..=k {
                let duration = (max_hold >> shorten).max(1);
                if shorten > 0 && duration == (max_hold >> (shorten - 1)).max(1) {
                    continue; // no shorter duration left
                }
                for (level_index, &(level, d)) in lv.iter().enumerate() {
                    if d > k || d.max(shorten) != k {
                        continue;
                    }
                    list.push(Primitive {
                        level,
                        level_index,
                        duration,
                        depth: k,
                    });
                }
            }
            upto.push(list.len());
        }
        let mut by_value: Vec<usize> = (0..lv.len()).collect();
        by_value.sort_by(|&a, &b| lv[a].0[0].total_cmp(&lv[b].0[0]));
        let mut rank = vec![0; by_value.len()];
        for (r, &k) in by_value.iter().enumerate() {
            rank[k] = r;
        }
        Ok(Self {
            levels: lv,
            list,
            upto,
            by_value,
            rank,
        })
    }

    /// The levels below level `k` on the first action axis, nearest first.
    pub fn below(&self, k: usize) -> impl Iterator<Item = usize> + '_ {
        self.by_value[..self.rank[k]].iter().rev().copied()
    }

    /// The levels above level `k` on the first action axis, nearest first.
    pub fn above(&self, k: usize) -> impl Iterator<Item = usize> + '_ {
        self.by_value[self.rank[k] + 1..].iter().copied()
    }

    /// The levels, coarse first, with their depths.
    pub fn levels(&self) -> &[(Point<A>, u32)] {
        &self.levels
    }

    /// Every primitive, in the order of simplicity.
    pub fn all(&self) -> &[Primitive<A>] {
        &self.list
    }

    /// The primitives of depth at most `depth` (a prefix of [`Self::all`]).
    pub fn upto(&self, depth: u32) -> &[Primitive<A>] {
        let k = (depth as usize).min(self.upto.len() - 1);
        &self.list[..self.upto[k]]
    }

    /// The deepest depth enumerated.
    pub fn max_depth(&self) -> u32 {
        self.upto.len() as u32 - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit() -> BoxSpace<1> {
        BoxSpace::new([-1.0], [1.0]).expect("ordered")
    }

    #[test]
    fn bang_bang_and_long_holds_come_first() {
        let p = Primitives::new(&unit(), None, 32, 2).expect("valid");
        let got: Vec<(f64, u32, u32)> = p
            .all()
            .iter()
            .map(|q| (q.level[0], q.duration, q.depth))
            .collect();
        assert_eq!(
            got,
            vec![
                (-1.0, 32, 0),
                (1.0, 32, 0),
                // depth 1: the midpoint held longest, then the bang-bang levels held half as long
                (0.0, 32, 1),
                (-1.0, 16, 1),
                (1.0, 16, 1),
                (0.0, 16, 1),
                // depth 2: the quarter levels held longest, then every level held a quarter
                (-0.5, 32, 2),
                (0.5, 32, 2),
                (-0.5, 16, 2),
                (0.5, 16, 2),
                (-1.0, 8, 2),
                (1.0, 8, 2),
                (0.0, 8, 2),
                (-0.5, 8, 2),
                (0.5, 8, 2),
            ]
        );
        assert_eq!(p.upto(0).len(), 2);
        assert_eq!(p.upto(1).len(), 6);
        assert_eq!(p.upto(9).len(), p.all().len());
        // Every (level, duration) pair appears once.
        for (i, a) in p.all().iter().enumerate() {
            for b in &p.all()[i + 1..] {
                assert!(a.level != b.level || a.duration != b.duration, "{a:?}");
            }
        }
    }

    #[test]
    fn discrete_levels_get_their_dyadic_depth() {
        let p = Primitives::new(&unit(), Some(&[[-1.0], [0.0], [1.0]]), 8, 1).expect("valid");
        let lv: Vec<(f64, u32)> = p.levels().iter().map(|&(l, d)| (l[0], d)).collect();
        assert_eq!(lv, vec![(-1.0, 0), (1.0, 0), (0.0, 1)]);
        let first: Vec<(f64, u32)> = p.upto(0).iter().map(|q| (q.level[0], q.duration)).collect();
        assert_eq!(first, vec![(-1.0, 8), (1.0, 8)]);
        assert!(Primitives::new(&unit(), Some(&[[3.0]]), 8, 1).is_err());
        assert!(Primitives::new(&unit(), Some(&[]), 8, 1).is_err());
        let inf = BoxSpace::new([f64::NEG_INFINITY], [1.0]).expect("ordered");
        assert!(Primitives::new(&inf, None, 8, 1).is_err());
    }

    #[test]
    fn two_dimensional_boxes_start_at_their_corners() {
        let b = BoxSpace::new([0.0, -2.0], [1.0, 2.0]).expect("ordered");
        let p = Primitives::new(&b, None, 4, 1).expect("valid");
        let corners: Vec<Point<2>> = p.upto(0).iter().map(|q| q.level).collect();
        assert_eq!(
            corners,
            vec![[0.0, -2.0], [1.0, -2.0], [0.0, 2.0], [1.0, 2.0]]
        );
        // depth 1: 9 - 4 = 5 new levels at full duration, then 9 levels at half.
        assert_eq!(p.upto(1).len(), 4 + 5 + 9);
        // short holds bottom out at one step
        let q = Primitives::new(&b, None, 1, 2).expect("valid");
        assert!(q.all().iter().all(|x| x.duration == 1));
    }
}
