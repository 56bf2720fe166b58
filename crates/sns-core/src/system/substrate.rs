//! What stores the cognitive graph of a control agent: places, the outcomes learned where
//! primitives were executed, the kernel through which they generalise, and effectiveness.
//! [`SymbolicSystem`] keeps them in hash maps; a neural substrate can implement the same trait
//! (its kernel being the overlap of a harmonic code).

use super::fit::{Fit, NormalEquations};
use super::geometry::{norm, CellKey, Geometry};
use crate::fxhash::FxHashMap;
use sns_spaces::Point;
use std::cell::RefCell;

/// A place of a [`SystemSubstrate`] (dense, from 0, in order of creation).
pub type PlaceId = u32;

/// The memory of a control agent.
pub trait SystemSubstrate<const D: usize> {
    /// The place of a cell, if it was created.
    fn find(&self, key: &CellKey<D>) -> Option<PlaceId>;
    /// Creates the place of a cell (the caller checks that it is new) with its centre
    /// (normalised coordinates).
    fn insert(&mut self, key: CellKey<D>, centre: Point<D>) -> PlaceId;
    /// How many places exist.
    fn len(&self) -> usize;
    /// Whether no place exists.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The cell of a place.
    fn key(&self, p: PlaceId) -> CellKey<D>;
    /// The centre of a place (normalised).
    fn centre(&self, p: PlaceId) -> Point<D>;
    /// Learns that level `level` moved the state by `flow` (normalised, per step) from `at`
    /// (normalised, in place `p`), as an exponential average with at least the rate
    /// `min_rate`.
    fn learn(&mut self, p: PlaceId, level: usize, at: Point<D>, flow: Point<D>, min_rate: f64);
    /// The outcome of level `level` predicted at `at` (normalised) from the outcomes learned at
    /// places within `radius` (a kernel over the state space: nearby states, similar outcomes);
    /// `None` when nothing was learned that near.
    fn predict(&self, at: &Point<D>, level: usize, radius: f64) -> Option<Point<D>>;
    /// The places whose centres lie within `radius` of `at` (appended to `out`).
    fn near(&self, at: &Point<D>, radius: f64, out: &mut Vec<PlaceId>);
    /// The effectiveness of primitive `prim` at `p` (`None`: untried).
    fn effectiveness(&self, p: PlaceId, prim: usize) -> Option<f64>;
    /// Sets the effectiveness of primitive `prim` at `p`.
    fn set_effectiveness(&mut self, p: PlaceId, prim: usize, w: f64);
    /// Approximate memory held, in bytes.
    fn memory_bytes(&self) -> usize;
}

/// The outcomes of one level at one place.
#[derive(Debug, Clone, Copy)]
struct Sample<const D: usize> {
    at: Point<D>,
    flow: Point<D>,
    n: u32,
}

#[derive(Debug, Clone)]
struct Place<const D: usize> {
    key: CellKey<D>,
    centre: Point<D>,
    /// Per level: where the steps started (mean), their mean flow, and how many.
    flows: Vec<Option<Sample<D>>>,
    /// Per primitive: effectiveness once tried.
    w: Vec<Option<f64>>,
}

/// The symbolic substrate: places in a hash map, a bucket grid (of the kernel's radius) for
/// kernel queries, and a biweight kernel `(1 - (d / r)^2)^2`.
#[derive(Debug, Clone)]
pub struct SymbolicSystem<const D: usize> {
    geometry: Geometry<D>,
    bucket: f64,
    index: FxHashMap<CellKey<D>, PlaceId>,
    buckets: FxHashMap<CellKey<D>, Vec<PlaceId>>,
    places: Vec<Place<D>>,
    /// Cached kernel fits per cell and level, for one radius.
    fits: RefCell<FitCache<D>>,
}

/// The radius of the cached fits, and the fits per cell and level (`None`: nothing near).
type FitCache<const D: usize> = (f64, FxHashMap<(CellKey<D>, usize), Option<Fit<D>>>);

impl<const D: usize> SymbolicSystem<D> {
    /// An empty memory over `geometry`, answering kernel queries of radius up to `bucket`.
    pub fn new(geometry: Geometry<D>, bucket: f64) -> Self {
        Self {
            geometry,
            bucket,
            index: FxHashMap::default(),
            buckets: FxHashMap::default(),
            places: Vec::new(),
            fits: RefCell::new((0.0, FxHashMap::default())),
        }
    }

    /// The buckets within one of `at`'s, each once.
    fn bucket_keys(&self, at: &Point<D>, out: &mut Vec<CellKey<D>>) {
        let c = self.geometry.key_at(at, self.bucket);
        self.geometry.around_at(&c, self.bucket, out);
    }

    /// The kernel regression around `at` (see [`SystemSubstrate::predict`]).
    fn fit(&self, at: &Point<D>, level: usize, radius: f64) -> Option<Fit<D>> {
        let mut keys = Vec::with_capacity(3usize.pow(D as u32));
        self.bucket_keys(at, &mut keys);
        let mut ne = NormalEquations::<D>::new();
        for k in &keys {
            for &q in self.buckets.get(k).map(Vec::as_slice).unwrap_or(&[]) {
                let place = &self.places[q as usize];
                let Some(Some(smp)) = place.flows.get(level) else {
                    continue;
                };
                let z = self.geometry.diff(at, &smp.at);
                let d = norm(&z) / radius;
                if d >= 1.0 {
                    continue;
                }
                let z: Point<D> = std::array::from_fn(|i| z[i] / radius);
                ne.add((1.0 - d * d).powi(2), &z, &smp.flow);
            }
        }
        ne.solve()
    }
}

impl<const D: usize> SystemSubstrate<D> for SymbolicSystem<D> {
    fn find(&self, key: &CellKey<D>) -> Option<PlaceId> {
        self.index.get(key).copied()
    }

    fn insert(&mut self, key: CellKey<D>, centre: Point<D>) -> PlaceId {
        let id = self.places.len() as PlaceId;
        self.places.push(Place {
            key,
            centre,
            flows: Vec::new(),
            w: Vec::new(),
        });
        self.index.insert(key, id);
        let b = self.geometry.key_at(&centre, self.bucket);
        self.buckets.entry(b).or_default().push(id);
        id
    }

    fn len(&self) -> usize {
        self.places.len()
    }

    fn key(&self, p: PlaceId) -> CellKey<D> {
        self.places[p as usize].key
    }

    fn centre(&self, p: PlaceId) -> Point<D> {
        self.places[p as usize].centre
    }

    fn learn(&mut self, p: PlaceId, level: usize, at: Point<D>, flow: Point<D>, min_rate: f64) {
        let place = &mut self.places[p as usize];
        if place.flows.len() <= level {
            place.flows.resize(level + 1, None);
        }
        let slot = &mut place.flows[level];
        *slot = Some(match *slot {
            None => Sample { at, flow, n: 1 },
            Some(old) => {
                let rate = (1.0 / f64::from(old.n + 1)).max(min_rate);
                let d = self.geometry.diff(&old.at, &at);
                Sample {
                    at: std::array::from_fn(|i| old.at[i] + rate * d[i]),
                    flow: std::array::from_fn(|i| old.flow[i] + rate * (flow[i] - old.flow[i])),
                    n: old.n.saturating_add(1),
                }
            }
        });
        // The fits of the cells whose kernel reaches this sample are stale.
        let cache = self.fits.get_mut();
        if !cache.1.is_empty() {
            let reach = ((self.bucket / self.geometry.cell()).ceil() as i64).saturating_add(1);
            let k0 = self.geometry.key(&at);
            let side =
                usize::try_from(reach.saturating_mul(2).saturating_add(1)).unwrap_or(usize::MAX);
            let cells = u32::try_from(D)
                .ok()
                .and_then(|d| side.checked_pow(d))
                .unwrap_or(usize::MAX);
            if cells > cache.1.len() {
                // Fewer fits cached than cells in reach (a kernel many cells wide): drop the
                // cached fits near the sample instead of visiting every cell in reach (a
                // superset of the stale ones, by the distance of their centres).
                let geo = &self.geometry;
                let far = self.bucket + 2.0 * geo.cell() * (D as f64).sqrt();
                cache
                    .1
                    .retain(|(k, l), _| *l != level || geo.dist(&geo.centre(k), &at) > far);
                return;
            }
            for code in 0..cells {
                let mut rest = code;
                let k: CellKey<D> = std::array::from_fn(|i| {
                    let o = (rest % side) as i64 - reach;
                    rest /= side;
                    k0[i] + o
                });
                let k = self.geometry.wrap_key_at(k, self.geometry.cell());
                cache.1.remove(&(k, level));
            }
        }
    }

    /// A locally linear kernel regression around the centre of `at`'s cell (cached until an
    /// outcome is learned near it): the flows of the samples within `radius`, weighted by the
    /// biweight kernel of their distance, fitted by `f(x) = a + B (x - centre)` with a ridge on
    /// `B` (so that one sample, or samples on a line, give the weighted mean), evaluated at
    /// `at`.
    fn predict(&self, at: &Point<D>, level: usize, radius: f64) -> Option<Point<D>> {
        let key = self.geometry.key(at);
        let centre = self.geometry.centre(&key);
        let fit = {
            let mut cache = self.fits.borrow_mut();
            if cache.0 != radius {
                cache.1.clear();
                cache.0 = radius;
            }
            match cache.1.get(&(key, level)) {
                Some(f) => *f,
                None => {
                    let f = self.fit(&centre, level, radius);
                    cache.1.insert((key, level), f);
                    f
                }
            }
        }?;
        Some(fit.at(&self.geometry.diff(&centre, at), radius))
    }

    fn near(&self, at: &Point<D>, radius: f64, out: &mut Vec<PlaceId>) {
        let mut keys = Vec::with_capacity(3usize.pow(D as u32));
        self.bucket_keys(at, &mut keys);
        for k in &keys {
            for &q in self.buckets.get(k).map(Vec::as_slice).unwrap_or(&[]) {
                if self.geometry.dist(at, &self.places[q as usize].centre) < radius {
                    out.push(q);
                }
            }
        }
    }
    fn effectiveness(&self, p: PlaceId, prim: usize) -> Option<f64> {
        self.places[p as usize].w.get(prim).copied().flatten()
    }

    fn set_effectiveness(&mut self, p: PlaceId, prim: usize, w: f64) {
        let place = &mut self.places[p as usize];
        if place.w.len() <= prim {
            place.w.resize(prim + 1, None);
        }
        place.w[prim] = Some(w);
    }

    fn memory_bytes(&self) -> usize {
        let per = std::mem::size_of::<Place<D>>() + 2 * std::mem::size_of::<CellKey<D>>() + 16;
        self.places
            .iter()
            .map(|p| {
                per + p.flows.capacity() * std::mem::size_of::<Option<Sample<D>>>()
                    + p.w.capacity() * 16
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sns_spaces::{BoxSpace, StateSpace};

    #[test]
    fn kernel_predicts_from_nearby_outcomes_only() {
        let b = BoxSpace::new([0.0, 0.0], [1.0, 1.0]).expect("ordered");
        let g = Geometry::new(
            StateSpace::new(b, [1.0, 1.0], [false, false]).expect("valid"),
            0.1,
        );
        let mut s = SymbolicSystem::new(g, 0.3);
        let a = s.insert([1, 1], [0.15, 0.15]);
        let c = s.insert([8, 8], [0.85, 0.85]);
        s.learn(a, 0, [0.15, 0.15], [0.01, 0.0], 0.25);
        s.learn(c, 0, [0.85, 0.85], [0.0, -0.01], 0.25);
        let p = s.predict(&[0.2, 0.15], 0, 0.3).expect("near a");
        assert!((p[0] - 0.01).abs() < 1e-12 && p[1].abs() < 1e-12, "{p:?}");
        // A linear field is predicted (nearly: the ridge) between its samples.
        let b2 = s.insert([2, 1], [0.25, 0.15]);
        let b3 = s.insert([1, 2], [0.15, 0.25]);
        s.learn(b2, 1, [0.25, 0.15], [0.25, 0.0], 0.25);
        s.learn(b3, 1, [0.15, 0.25], [0.15, 0.0], 0.25);
        s.learn(a, 1, [0.15, 0.15], [0.15, 0.0], 0.25);
        let p = s.predict(&[0.2, 0.17], 1, 0.3).expect("near");
        assert!((p[0] - 0.2).abs() < 0.01, "{p:?}");
        assert!(
            s.predict(&[0.5, 0.5], 0, 0.3).is_none(),
            "too far from both"
        );
        assert!(s.predict(&[0.2, 0.15], 2, 0.3).is_none(), "other level");
        // A second, different outcome moves the average.
        s.learn(a, 0, [0.15, 0.15], [0.03, 0.0], 0.25);
        let p = s.predict(&[0.15, 0.15], 0, 0.3).expect("near a");
        assert!((p[0] - 0.02).abs() < 1e-12, "{p:?}");
        let mut out = Vec::new();
        s.near(&[0.2, 0.2], 0.2, &mut out);
        out.sort_unstable();
        assert_eq!(out, vec![a, b2, b3]);
    }

    /// Regression: with a kernel many cells wide (`cell = 1e-9` from the command line) learning
    /// one outcome visited every cell in the kernel's reach to drop stale fits, and a run hung.
    /// The cached fits must still be dropped: a cached memory predicts what a fresh one
    /// (nothing cached) predicts from the same outcomes, with both kinds of invalidation.
    #[test]
    fn cached_fits_are_dropped_when_an_outcome_is_learned_near_them() {
        for cell in [0.1, 1e-4] {
            let b = BoxSpace::new([0.0, 0.0], [1.0, 1.0]).expect("ordered");
            let g = Geometry::new(
                StateSpace::new(b, [1.0, 1.0], [false, false]).expect("valid"),
                cell,
            );
            let mut cached = SymbolicSystem::new(g.clone(), 0.3);
            let samples = [
                ([0.15, 0.15], [0.01, 0.0]),
                ([0.25, 0.15], [0.03, 0.01]),
                ([0.2, 0.3], [-0.02, 0.02]),
                ([0.16, 0.14], [0.05, -0.01]),
            ];
            let at = [0.2, 0.2];
            for (k, (u, f)) in samples.iter().enumerate() {
                // Fits cached all over the box: with 0.1 cells more fits are cached than cells
                // lie in the kernel's reach (the cells are visited), with 1e-4 fewer (the
                // cached fits are).
                for i in 0..10 {
                    for j in 0..10 {
                        let x = [(f64::from(i) + 0.5) / 10.0, (f64::from(j) + 0.5) / 10.0];
                        cached.predict(&x, 0, 0.3);
                    }
                }
                let key = g.key(u);
                let p = cached.find(&key).unwrap_or_else(|| cached.insert(key, *u));
                cached.learn(p, 0, *u, *f, 0.25);
                let mut again = SymbolicSystem::new(g.clone(), 0.3);
                for (u, f) in &samples[..=k] {
                    let key = g.key(u);
                    let q = again.find(&key).unwrap_or_else(|| again.insert(key, *u));
                    again.learn(q, 0, *u, *f, 0.25);
                }
                assert_eq!(
                    cached.predict(&at, 0, 0.3),
                    again.predict(&at, 0, 0.3),
                    "cell {cell}, after {} outcomes",
                    k + 1
                );
            }
        }
    }
}
