//! What the system domain predicts of a level's outcome at a state: the kernel regression of
//! the outcomes learned near it, the interpolation between learned levels, and the harmonic
//! readout where it is on.

use super::{fit, SystemDomain, SystemSubstrate};
use sns_spaces::Point;

impl<const D: usize, const A: usize, S: SystemSubstrate<D>> SystemDomain<D, A, S> {
    /// The learned flow of `level` at `u`; for a one-dimensional action with nothing learned
    /// of `level` near `u` (and `interpolate_levels` on), the linear interpolation between the
    /// nearest levels below and above it that are learned there (the systems are affine in
    /// their action: an untried level between two tried ones is predicted, not optimistic).
    ///
    /// With the harmonic readout on (`harmonic_order`), an outcome counts as known where the
    /// kernel knows something within `harmonic_trust` radii, and its flow is the readout's.
    pub(super) fn predict_level(&self, u: &Point<D>, level: usize) -> Option<Point<D>> {
        let local = self.predict_level_local(u, level)?;
        Some(self.harmonic_at(u, level).unwrap_or(local))
    }

    /// The radius within which something learned makes an outcome known.
    fn trust_radius(&self) -> f64 {
        if self.readout().is_some() {
            self.radius * self.params.harmonic_trust
        } else {
            self.radius
        }
    }

    /// The harmonic readout when it is on and, by `harmonic_after`, in use in this trial.
    fn readout(&self) -> Option<&super::harmonic::HarmonicFlow<D, A>> {
        self.flow_model
            .as_ref()
            .filter(|_| self.solved >= self.params.harmonic_after)
    }

    /// The harmonic readout of `level`'s flow at `u` (`None` when off, not in use yet
    /// (`harmonic_after`) or not solved yet),
    /// linearised at the centre of `u`'s cell (cached until the readout is re-solved; one step
    /// is within a few cells, so the linearisation is exact to second order in a cell's edge).
    fn harmonic_at(&self, u: &Point<D>, level: usize) -> Option<Point<D>> {
        let h = self.readout()?;
        let key = self.geo.key(u);
        let centre = self.geo.centre(&key);
        let mut cache = self.flow_cache.borrow_mut();
        let lin = match cache.get(&(key, level)) {
            Some(l) => *l,
            None => {
                let a = self.norm_action(&self.prims.levels()[level].0);
                let at = |p: &Point<D>| h.predict(&self.geo.from_u(p), &a);
                let f0 = at(&centre)?;
                let eps = 0.5 * self.geo.cell();
                let slopes = std::array::from_fn(|i| {
                    let mut p = centre;
                    p[i] += eps;
                    let f1 = at(&p).unwrap_or(f0);
                    std::array::from_fn(|c| (f1[c] - f0[c]) / eps)
                });
                let l = fit::Fit { a: f0, slopes };
                cache.insert((key, level), l);
                l
            }
        };
        Some(lin.at(&self.geo.diff(&centre, u), 1.0))
    }

    /// The kernel's prediction of `level`'s flow at `u` within the trust radius, or the
    /// interpolation between learned levels (see [`Self::predict_level`]).
    fn predict_level_local(&self, u: &Point<D>, level: usize) -> Option<Point<D>> {
        let radius = self.trust_radius();
        let known = self.mem.predict(u, level, radius);
        if known.is_some() || A != 1 || !self.params.interpolate_levels {
            return known;
        }
        // The nearest learned level on each side, in the order of the levels' values (the
        // extreme levels, tried first, have no side to interpolate from).
        let learned = |k: usize| {
            self.mem
                .predict(u, k, radius)
                .map(|f| (self.prims.levels()[k].0[0], f))
        };
        let (xa, fa) = self.prims.below(level).find_map(learned)?;
        let (xb, fb) = self.prims.above(level).find_map(learned)?;
        let t = (self.prims.levels()[level].0[0] - xa) / (xb - xa);
        Some(std::array::from_fn(|i| fa[i] + t * (fb[i] - fa[i])))
    }
}
