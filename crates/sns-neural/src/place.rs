//! Place units: one unit per graph node, whose afferent weights are the code of its anchor.
//!
//! The activity of unit `u` when the current code is `q` is `a_u = K(q, h(anchor_u))`. "Which node
//! am I at" is the unit with the highest activity (winner-take-all); "which nodes are within `r`"
//! are the units whose decoded anchor is within `r` of the decoded query, ordered by activity.
//!
//! Speed: scoring every unit would cost `O(n N)` per query. A coarse spatial prefilter (a hash of
//! the decoded anchors in 0.5 m buckets, playing the role of the topographic organisation of
//! place fields) limits the scored units to those whose field can overlap the query; the
//! decision among them is the activity readout.

use crate::code::{similarity, Code, HarmonicCode};
use sns_worlds::{Real, Vec2};

/// The coarse prefilter: the same spatial hash (0.5 m buckets) as the symbolic substrate's.
pub use sns_core::spatial::SpatialHash as Buckets;

/// The population of place units.
#[derive(Debug, Clone, Default)]
pub struct PlaceUnits {
    /// Afferent weights, unit-major: unit `u` owns `re[u N..(u + 1) N]`.
    re: Vec<Real>,
    im: Vec<Real>,
    /// Anchors decoded from the weights (cached: the weights never change).
    anchors: Vec<Vec2>,
    levels: Vec<u8>,
    prefilter: Buckets,
    dims: usize,
}

impl PlaceUnits {
    /// An empty population for codes of dimension `dims`.
    pub fn new(dims: usize) -> Self {
        PlaceUnits {
            dims,
            ..Self::default()
        }
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether there is no unit.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// Adds a unit with weights `w` (the code of its anchor); returns its index.
    pub fn add(&mut self, code: &HarmonicCode, w: &Code, level: u8) -> usize {
        let id = self.len();
        self.re.extend_from_slice(&w.re);
        self.im.extend_from_slice(&w.im);
        let a = code.decode(w);
        self.anchors.push(a);
        self.levels.push(level);
        self.prefilter.insert(a, id);
        id
    }

    /// The decoded anchor of unit `u`.
    pub fn anchor(&self, u: usize) -> Vec2 {
        self.anchors[u]
    }

    /// Refinement level of unit `u`.
    pub fn level(&self, u: usize) -> u8 {
        self.levels[u]
    }

    /// Sets the refinement level of unit `u`.
    pub fn set_level(&mut self, u: usize, level: u8) {
        self.levels[u] = level;
    }

    /// The weights of unit `u` as a code.
    pub fn weights(&self, u: usize) -> Code {
        let r = u * self.dims..(u + 1) * self.dims;
        Code {
            re: self.re[r.clone()].to_vec(),
            im: self.im[r].to_vec(),
        }
    }

    /// Activity of unit `u` for the current code `q`: `K(q, w_u)`.
    #[inline]
    pub fn activity(&self, u: usize, q: &Code) -> Real {
        let r = u * self.dims..(u + 1) * self.dims;
        similarity(&q.re, &q.im, &self.re[r.clone()], &self.im[r])
    }

    /// Units whose prefilter bucket overlaps the disc of radius `r` around `x`.
    pub fn candidates(&self, x: Vec2, r: Real, out: &mut Vec<usize>) {
        out.clear();
        let d = Vec2::new(r, r);
        self.prefilter.for_each_in(x - d, x + d, |i| out.push(i));
    }

    /// The most active unit among `cands` (ties: the lower index), with its activity.
    pub fn winner(
        &self,
        q: &Code,
        cands: impl IntoIterator<Item = usize>,
    ) -> Option<(usize, Real)> {
        let mut best: Option<(usize, Real)> = None;
        for u in cands {
            let a = self.activity(u, q);
            if best.map_or(true, |(b, ba)| a > ba || (a == ba && u < b)) {
                best = Some((u, a));
            }
        }
        best
    }
}
