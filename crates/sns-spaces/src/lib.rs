//! The shared vocabulary of SNS domains, free of maze notions.
//!
//! - [`Point`]: a point of a `D`-dimensional state (or observation, or action) space, a plain
//!   `[f64; D]` so that every domain can use it without a linear-algebra dependency.
//! - [`BoxSpace`]: Gymnasium's `Box`, an axis-aligned box of points.
//! - [`StateSpace`]: a box whose axes carry a scale and may be periodic (angles), with the metric
//!   and the interpolation that wrap periodic axes.
//! - [`Env`] and [`Step`]: a Gymnasium-shaped environment (`reset(seed)`, `step(action)` returning
//!   reward, terminated, truncated and a typed info).

use thiserror::Error;

/// A point of a `D`-dimensional space.
pub type Point<const D: usize> = [f64; D];

/// An invalid space description.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum SpaceError {
    /// A bound is NaN, or a lower bound is above its upper bound.
    #[error("axis {axis}: bounds [{low}, {high}] are not an interval")]
    BadBounds {
        /// The axis.
        axis: usize,
        /// Its lower bound.
        low: f64,
        /// Its upper bound.
        high: f64,
    },
    /// A periodic axis needs finite bounds with `low < high` (its period is `high - low`).
    #[error(
        "axis {axis}: a periodic axis needs finite bounds with low < high, got [{low}, {high}]"
    )]
    BadPeriod {
        /// The axis.
        axis: usize,
        /// Its lower bound.
        low: f64,
        /// Its upper bound.
        high: f64,
    },
    /// A scale must be finite and positive.
    #[error("axis {axis}: scale {scale} is not finite and positive")]
    BadScale {
        /// The axis.
        axis: usize,
        /// The scale given.
        scale: f64,
    },
}

/// Gymnasium's `Box`: the points with `low[i] <= x[i] <= high[i]` on every axis (bounds may be
/// infinite).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxSpace<const D: usize> {
    low: Point<D>,
    high: Point<D>,
}

impl<const D: usize> BoxSpace<D> {
    /// The box `[low, high]`; an error when a bound is NaN or `low[i] > high[i]`.
    pub fn new(low: Point<D>, high: Point<D>) -> Result<Self, SpaceError> {
        for axis in 0..D {
            let (l, h) = (low[axis], high[axis]);
            if l.is_nan() || h.is_nan() || l > h {
                return Err(SpaceError::BadBounds {
                    axis,
                    low: l,
                    high: h,
                });
            }
        }
        Ok(Self { low, high })
    }

    /// The lower bounds.
    pub fn low(&self) -> &Point<D> {
        &self.low
    }

    /// The upper bounds.
    pub fn high(&self) -> &Point<D> {
        &self.high
    }

    /// Whether `x` lies in the box (NaN never does).
    pub fn contains(&self, x: &Point<D>) -> bool {
        (0..D).all(|i| x[i] >= self.low[i] && x[i] <= self.high[i])
    }

    /// `x` clipped into the box axis by axis (a NaN coordinate stays NaN).
    pub fn clip(&self, x: &Point<D>) -> Point<D> {
        std::array::from_fn(|i| x[i].max(self.low[i]).min(self.high[i]))
    }
}

/// A state space: a box whose axes have a scale (the length that counts as one unit in the
/// metric, so that metres and radians per second can be compared) and may be periodic (angles:
/// `low` and `high` are the same point, the period is `high - low`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StateSpace<const D: usize> {
    bounds: BoxSpace<D>,
    scale: Point<D>,
    periodic: [bool; D],
}

impl<const D: usize> StateSpace<D> {
    /// A state space over `bounds` with per-axis `scale` and the `periodic` axes; an error when a
    /// scale is not finite and positive or a periodic axis has no finite period.
    pub fn new(
        bounds: BoxSpace<D>,
        scale: Point<D>,
        periodic: [bool; D],
    ) -> Result<Self, SpaceError> {
        for axis in 0..D {
            let s = scale[axis];
            if !(s.is_finite() && s > 0.0) {
                return Err(SpaceError::BadScale { axis, scale: s });
            }
            let (l, h) = (bounds.low[axis], bounds.high[axis]);
            if periodic[axis] && !(l.is_finite() && h.is_finite() && l < h) {
                return Err(SpaceError::BadPeriod {
                    axis,
                    low: l,
                    high: h,
                });
            }
        }
        Ok(Self {
            bounds,
            scale,
            periodic,
        })
    }

    /// The bounds.
    pub fn bounds(&self) -> &BoxSpace<D> {
        &self.bounds
    }

    /// The per-axis scale.
    pub fn scale(&self) -> &Point<D> {
        &self.scale
    }

    /// Which axes are periodic.
    pub fn periodic(&self) -> &[bool; D] {
        &self.periodic
    }

    fn period(&self, axis: usize) -> f64 {
        self.bounds.high[axis] - self.bounds.low[axis]
    }

    /// `x` with its periodic coordinates brought into `[low, high)` and the others clipped into
    /// their bounds.
    pub fn wrap(&self, x: &Point<D>) -> Point<D> {
        std::array::from_fn(|i| {
            let (l, h) = (self.bounds.low[i], self.bounds.high[i]);
            if self.periodic[i] {
                let w = l + (x[i] - l).rem_euclid(self.period(i));
                // rem_euclid can round up to the period itself.
                if w >= h {
                    l
                } else {
                    w
                }
            } else {
                x[i].max(l).min(h)
            }
        })
    }

    /// The displacement from `a` to `b`, axis by axis, the shorter way round on periodic axes
    /// (in `[-period/2, period/2)`), unscaled.
    pub fn difference(&self, a: &Point<D>, b: &Point<D>) -> Point<D> {
        std::array::from_fn(|i| {
            let d = b[i] - a[i];
            if self.periodic[i] {
                let p = self.period(i);
                let w = (d + p / 2.0).rem_euclid(p) - p / 2.0;
                if w >= p / 2.0 {
                    w - p
                } else {
                    w
                }
            } else {
                d
            }
        })
    }

    /// The metric: the Euclidean length of the scaled [`difference`](Self::difference).
    pub fn distance(&self, a: &Point<D>, b: &Point<D>) -> f64 {
        let d = self.difference(a, b);
        (0..D)
            .map(|i| (d[i] / self.scale[i]).powi(2))
            .sum::<f64>()
            .sqrt()
    }

    /// The point a fraction `t` of the way from `a` to `b` along the shortest path (periodic
    /// axes go the shorter way round and the result is wrapped); `t = 0` gives `a` wrapped,
    /// `t = 1` gives `b` wrapped.
    pub fn interpolate(&self, a: &Point<D>, b: &Point<D>, t: f64) -> Point<D> {
        let d = self.difference(a, b);
        let p: Point<D> = std::array::from_fn(|i| a[i] + t * d[i]);
        self.wrap(&p)
    }

    /// `x` mapped to `[0, 1]` per axis (`(x - low) / (high - low)`), periodic axes wrapped
    /// first; an axis with an infinite bound maps to NaN.
    pub fn normalise(&self, x: &Point<D>) -> Point<D> {
        let w = self.wrap(x);
        std::array::from_fn(|i| {
            let (l, h) = (self.bounds.low[i], self.bounds.high[i]);
            (w[i] - l) / (h - l)
        })
    }
}

/// What one [`Env::step`] returns, as Gymnasium's `step` does.
#[derive(Debug, Clone, PartialEq)]
pub struct Step<Obs, Info> {
    /// The observation after the step.
    pub obs: Obs,
    /// The reward for the step.
    pub reward: f64,
    /// The episode (trial) ended inside the task (success, or a terminal state).
    pub terminated: bool,
    /// The episode was cut short from outside the task (a time limit).
    pub truncated: bool,
    /// Domain-specific information.
    pub info: Info,
}

/// A Gymnasium-shaped environment.
pub trait Env {
    /// What the agent observes.
    type Obs;
    /// What the agent does.
    type Act;
    /// Typed extra information returned with every observation.
    type Info;

    /// Starts an episode. `Some(seed)` reseeds the environment's random generator first (so the
    /// same seed gives the same start); `None` continues its stream.
    fn reset(&mut self, seed: Option<u64>) -> (Self::Obs, Self::Info);

    /// Applies `action` for one time step.
    fn step(&mut self, action: &Self::Act) -> Step<Self::Obs, Self::Info>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn angle_space() -> StateSpace<2> {
        let b = BoxSpace::new([-PI, -8.0], [PI, 8.0]).expect("valid box");
        StateSpace::new(b, [1.0, 4.0], [true, false]).expect("valid space")
    }

    #[test]
    fn box_rejects_inverted_and_nan_bounds() {
        assert!(matches!(
            BoxSpace::new([1.0], [0.0]),
            Err(SpaceError::BadBounds { axis: 0, .. })
        ));
        assert!(BoxSpace::new([0.0, f64::NAN], [1.0, 1.0]).is_err());
        let b = BoxSpace::new([0.0, f64::NEG_INFINITY], [1.0, 2.0]).expect("valid");
        assert!(b.contains(&[0.5, -1e300]));
        assert!(!b.contains(&[0.5, 3.0]));
        assert!(!b.contains(&[f64::NAN, 0.0]));
        assert_eq!(b.clip(&[2.0, 5.0]), [1.0, 2.0]);
    }

    #[test]
    fn state_space_rejects_bad_scale_and_period() {
        let b = BoxSpace::new([0.0, 0.0], [1.0, f64::INFINITY]).expect("valid");
        assert!(matches!(
            StateSpace::new(b, [0.0, 1.0], [false, false]),
            Err(SpaceError::BadScale { axis: 0, .. })
        ));
        assert!(matches!(
            StateSpace::new(b, [1.0, 1.0], [false, true]),
            Err(SpaceError::BadPeriod { axis: 1, .. })
        ));
    }

    #[test]
    fn metric_wraps_angles_and_scales_axes() {
        let s = angle_space();
        // 0.1 rad either side of the seam are 0.2 rad apart, not 2 pi - 0.2.
        let d = s.distance(&[PI - 0.1, 0.0], &[-PI + 0.1, 0.0]);
        assert!((d - 0.2).abs() < 1e-12, "{d}");
        // The speed axis counts in units of 4.
        assert!((s.distance(&[0.0, 0.0], &[0.0, 2.0]) - 0.5).abs() < 1e-12);
        assert!((s.difference(&[0.0, 0.0], &[3.0 * PI, 0.0])[0].abs() - PI).abs() < 1e-12);
    }

    #[test]
    fn interpolation_goes_the_short_way_round() {
        let s = angle_space();
        let m = s.interpolate(&[PI - 0.1, 0.0], &[-PI + 0.1, 2.0], 0.5);
        // Halfway is the seam itself, wrapped to -pi; the speed is halfway.
        assert!((m[0].abs() - PI).abs() < 1e-12, "{m:?}");
        assert!((m[1] - 1.0).abs() < 1e-12);
        let end = s.interpolate(&[0.0, 0.0], &[1.0, 1.0], 1.0);
        assert!((end[0] - 1.0).abs() < 1e-12 && (end[1] - 1.0).abs() < 1e-12);
        let w = s.wrap(&[3.0 * PI + 0.5, 9.0]);
        assert!((w[0] - (-PI + 0.5)).abs() < 1e-12 && w[1] == 8.0, "{w:?}");
        let n = s.normalise(&[0.0, 0.0]);
        assert!((n[0] - 0.5).abs() < 1e-12 && (n[1] - 0.5).abs() < 1e-12);
    }
}
