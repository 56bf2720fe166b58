//! The shared vocabulary of SNS domains, free of maze notions.
//!
//! - [`Point`]: a point of a `D`-dimensional state (or observation, or action) space, a plain
//!   `[f64; D]` so that every domain can use it without a linear-algebra dependency.
//! - [`BoxSpace`]: Gymnasium's `Box`, an axis-aligned box of points.
//! - [`StateSpace`]: a box whose axes carry a scale and may be periodic (angles), with the metric
//!   and the interpolation that wrap periodic axes.
//! - [`Env`] and [`Step`]: a Gymnasium-shaped environment (`reset(seed)`, `step(action)` returning
//!   reward, terminated, truncated and a typed info).
//! - [`Agent`]: an agent over any observation and action types, which learns across trials.
//! - [`Region`], [`BoxRegion`] and [`Task`]: what a control agent is told about its world before it
//!   starts (state space, actions, the goal region unless it is hidden, how long to hold it), and
//!   [`Sensed`], what it senses at every step.

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

    /// The period of a periodic axis (`high - low`).
    pub fn period(&self, axis: usize) -> f64 {
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

/// An agent acting in an environment through what it senses. A run calls [`Agent::begin_trial`]
/// at the start of every trial, then [`Agent::act`] once per step, then [`Agent::end_trial`];
/// what the agent learned persists across trials (one life).
pub trait Agent<Obs, Act> {
    /// Short name (`sns`, `random`, ...).
    fn name(&self) -> &str;
    /// A new trial starts with this first observation.
    fn begin_trial(&mut self, obs: &Obs);
    /// The action for this step.
    fn act(&mut self, obs: &Obs) -> Act;
    /// The trial ended (success, or the step budget ran out).
    fn end_trial(&mut self, success: bool);
}

/// A region of a state space that a task asks the agent to reach (and, with a hold, to stay in).
pub trait Region<const D: usize>: std::fmt::Debug + Send + Sync {
    /// Whether `s` lies in the region.
    fn contains(&self, space: &StateSpace<D>, s: &Point<D>) -> bool;
    /// A lower bound on the distance, in `space`'s metric, from `s` to the region; 0 inside. A
    /// planner may use it as an admissible heuristic.
    fn distance(&self, space: &StateSpace<D>, s: &Point<D>) -> f64;
}

/// An axis-aligned box region `low[i] <= x[i] <= high[i]` (bounds may be infinite). On a periodic
/// axis the interval runs from `low` upward to `high`, wrapping (so `[-0.2, 0.2]` on an angle is the
/// arc through 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxRegion<const D: usize> {
    /// Lower bounds.
    pub low: Point<D>,
    /// Upper bounds.
    pub high: Point<D>,
}

impl<const D: usize> BoxRegion<D> {
    /// How far coordinate `i` of `x` lies outside the interval, unscaled (0 inside).
    fn gap(&self, space: &StateSpace<D>, x: &Point<D>, i: usize) -> f64 {
        let (l, h, v) = (self.low[i], self.high[i], x[i]);
        if space.periodic[i] {
            let p = space.period(i);
            let width = h - l;
            if width >= p {
                return 0.0;
            }
            // Offset of v above l, in [0, p).
            let o = (v - l).rem_euclid(p);
            if o <= width {
                0.0
            } else {
                (o - width).min(p - o)
            }
        } else if v < l {
            l - v
        } else if v > h {
            v - h
        } else {
            0.0
        }
    }
}

impl<const D: usize> Region<D> for BoxRegion<D> {
    fn contains(&self, space: &StateSpace<D>, s: &Point<D>) -> bool {
        (0..D).all(|i| self.gap(space, s, i) == 0.0 && !s[i].is_nan())
    }

    fn distance(&self, space: &StateSpace<D>, s: &Point<D>) -> f64 {
        (0..D)
            .map(|i| (self.gap(space, s, i) / space.scale[i]).powi(2))
            .sum::<f64>()
            .sqrt()
    }
}

/// What a control agent is told about its world before it starts: no dynamics, no model.
#[derive(Debug, Clone)]
pub struct Task<const D: usize, const A: usize> {
    /// The state space the agent senses (its scales say which differences are comparable).
    pub space: StateSpace<D>,
    /// The actions.
    pub actions: BoxSpace<A>,
    /// The only actions the world takes, when it has a discrete action set (Acrobot-v1's torques
    /// -1, 0, +1); `None` for a continuous box.
    pub levels: Option<Vec<Point<A>>>,
    /// The goal region; `None` in search mode (only the success signal is sensed).
    pub goal: Option<std::sync::Arc<dyn Region<D>>>,
    /// Consecutive steps inside the goal region that make a success (1 for reaching tasks).
    pub hold_steps: u32,
    /// Seconds per step (0 for a world without a time scale, such as MountainCar, which counts
    /// in steps).
    pub dt: f64,
}

/// What a control agent senses at every step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sensed<const D: usize> {
    /// The state, wrapped into the state space (periodic axes brought into range).
    pub state: Point<D>,
    /// The trial's success condition has been met (the trial ends).
    pub success: bool,
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

    #[test]
    fn box_region_wraps_on_periodic_axes() {
        let s = angle_space();
        let up = BoxRegion {
            low: [-0.2, f64::NEG_INFINITY],
            high: [0.2, f64::INFINITY],
        };
        assert!(up.contains(&s, &[0.1, 7.0]));
        assert!(up.contains(&s, &[2.0 * PI - 0.1, 0.0]), "wrapped");
        assert!(!up.contains(&s, &[0.3, 0.0]));
        assert!((up.distance(&s, &[0.5, 0.0]) - 0.3).abs() < 1e-12);
        // Just below -0.2 going the short way round.
        assert!((up.distance(&s, &[-0.25, 3.0]) - 0.05).abs() < 1e-12);
        assert!((up.distance(&s, &[PI, 0.0]) - (PI - 0.2)).abs() < 1e-12);
        let right = BoxRegion {
            low: [f64::NEG_INFINITY, 2.0],
            high: [f64::INFINITY, 8.0],
        };
        assert_eq!(right.distance(&s, &[0.0, 3.0]), 0.0);
        assert!(
            (right.distance(&s, &[0.0, 0.0]) - 0.5).abs() < 1e-12,
            "scale 4"
        );
    }
}
