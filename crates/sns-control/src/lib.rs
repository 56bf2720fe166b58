//! Classic-control worlds with Gymnasium's exact dynamics, behind the [`sns_spaces::Env`] trait.
//!
//! | world | Gymnasium | action | success (ends the trial) |
//! |---|---|---|---|
//! | [`MountainCar`] | `MountainCarContinuous-v0` | force in [-1, 1] | `x >= goal_position` (and `v >= goal_velocity`); mirrored with `goal_left = 1` |
//! | [`Pendulum`] | `Pendulum-v1` | torque in [-`max_torque`, `max_torque`] | within 0.2 rad of upright for 100 consecutive steps |
//! | [`Acrobot`] | `Acrobot-v1` | torque -1, 0 or +1 | tip height > 1 |
//! | [`AcrobotContinuous`] | `Acrobot-v1`'s dynamics | torque in [-1, 1] | tip height > 1 |
//! | [`CartPoleSwingUp`] | `CartPole-v1`'s physics | force in [-`force_mag`, `force_mag`] N | within 0.2 rad of upright and on the track for 100 consecutive steps |
//!
//! "Exact" means the same floating-point operations in the same order as Gymnasium 1.3.0 under
//! NumPy 2 (so that even the chaotic acrobot follows the same trajectory for 1000 steps),
//! including Gymnasium's float32 casts: MountainCarContinuous keeps its state in float32 after the
//! first step and computes partly in float32; Pendulum multiplies the (float32) torque in float32;
//! every observation is cast to float32 (the observations here hold those float32 values as
//! `f64`). Actions are taken as the float32 values Gymnasium's float32 `Box` action spaces hold
//! (an `f64` action is rounded to `f32` first); a NaN action is taken as 0. `tests/gymnasium/`
//! checks all of this against the real `gymnasium` package.
//!
//! Resets draw the start as Gymnasium does (same distributions) from our own seeded ChaCha
//! generator, so seeds do not give Gymnasium's numbers; `reset_to` starts from an exact state
//! instead. Physical parameters go by Gymnasium's attribute names ([`Params`]) and are range
//! checked.
//!
//! Oracles: [`MountainCarOracle`] and [`PendulumOracle`] by dynamic programming on a fine grid;
//! [`AcrobotOracle`] (both acrobots) and [`CartPoleOracle`] by a beam search with the true model,
//! whose answer is an upper bound (docs/CONTROL.md, "Oracles").

mod acrobot;
mod cartpole;
mod mountaincar;
mod oracle;
mod params;
mod pendulum;
mod search;
mod world;

pub use acrobot::{Acrobot, AcrobotContinuous, AcrobotParams, Torque};
pub use cartpole::{CartPoleParams, CartPoleSwingUp};
pub use mountaincar::{MountainCar, MountainCarParams};
pub use oracle::{MountainCarOracle, PendulumOracle};
pub use params::{ParamError, ParamSpec, Params};
pub use pendulum::{Pendulum, PendulumParams};
pub use search::{AcrobotOracle, CartPoleOracle, SearchLimits};
pub use world::{ControlWorld, TipAbove};

use thiserror::Error;

/// An error from a world other than a parameter's ([`ParamError`]).
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ControlError {
    /// A state given to `reset_to` has a non-finite coordinate.
    #[error("state coordinate {axis} is {value}, not a finite number")]
    BadState {
        /// The coordinate.
        axis: usize,
        /// Its value.
        value: f64,
    },
}

/// The typed info every world returns with an observation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ControlInfo<const D: usize> {
    /// The world's full internal state (float64 where Gymnasium keeps float64), e.g. the
    /// unwrapped angles of the pendulum.
    pub state: [f64; D],
    /// The trial's success condition has been met (the trial ends: `terminated`).
    pub success: bool,
    /// Consecutive steps so far inside the success region (success at [`Self::hold_needed`]).
    pub held: u32,
    /// How many consecutive steps in the region count as success (1 for reaching worlds).
    pub hold_needed: u32,
    /// Steps since the last reset.
    pub steps: u64,
}

/// Steps, success and the time limit of the current trial, shared by every world.
#[derive(Debug, Clone, Copy)]
struct Trial {
    steps: u64,
    held: u32,
    success: bool,
    hold_needed: u32,
    max_steps: Option<u64>,
}

impl Trial {
    fn new(hold_needed: u32) -> Self {
        Self {
            steps: 0,
            held: 0,
            success: false,
            hold_needed,
            max_steps: None,
        }
    }

    fn restart(&mut self) {
        self.steps = 0;
        self.held = 0;
        self.success = false;
    }

    /// Records one step that ended inside (or outside) the success region; returns
    /// (terminated, truncated).
    fn record(&mut self, in_region: bool) -> (bool, bool) {
        self.steps += 1;
        self.held = if in_region {
            self.held.saturating_add(1)
        } else {
            0
        };
        if self.held >= self.hold_needed {
            self.success = true;
        }
        let truncated = !self.success && self.max_steps.is_some_and(|m| self.steps >= m);
        (self.success, truncated)
    }

    fn info<const D: usize>(&self, state: [f64; D]) -> ControlInfo<D> {
        ControlInfo {
            state,
            success: self.success,
            held: self.held,
            hold_needed: self.hold_needed,
            steps: self.steps,
        }
    }
}

/// Checks that every coordinate of a state is finite.
fn check_state<const D: usize>(s: &[f64; D]) -> Result<(), ControlError> {
    match s.iter().position(|v| !v.is_finite()) {
        Some(axis) => Err(ControlError::BadState {
            axis,
            value: s[axis],
        }),
        None => Ok(()),
    }
}

/// An action as Gymnasium's float32 `Box` holds it; NaN becomes 0 (Gymnasium would carry the NaN
/// into the state, which helps nobody).
fn action_f32(a: f64) -> f32 {
    if a.is_nan() {
        0.0
    } else {
        a as f32
    }
}

/// Gymnasium's `angle_normalize`: `((x + pi) % (2 pi)) - pi` with Python's (floored) modulo.
fn angle_normalize(x: f64) -> f64 {
    use std::f64::consts::PI;
    (x + PI).rem_euclid(2.0 * PI) - PI
}

/// Python's and NumPy's `x**2`, which call C's `pow(x, 2.0)`: that differs from `x * x` in the last
/// bit for about one value in a thousand, enough to part chaotic trajectories. `black_box` keeps
/// the compiler from turning the call into a multiplication.
fn pow2(x: f64) -> f64 {
    x.powf(std::hint::black_box(2.0))
}

/// NumPy's `x**2` on a float32 (C's `powf(x, 2.0f)`).
fn pow2_f32(x: f32) -> f32 {
    x.powf(std::hint::black_box(2.0))
}

/// A float32 cast, as Gymnasium's `np.array(..., dtype=np.float32)`.
fn f32c(x: f64) -> f64 {
    x as f32 as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trial_counts_consecutive_steps_and_truncates() {
        let mut t = Trial::new(3);
        t.max_steps = Some(5);
        assert_eq!(t.record(true), (false, false));
        assert_eq!(t.record(true), (false, false));
        assert_eq!(t.record(false), (false, false));
        assert_eq!(t.held, 0);
        assert_eq!(t.record(true), (false, false));
        assert_eq!(t.record(true), (false, true));
        t.restart();
        t.max_steps = None;
        for _ in 0..2 {
            t.record(true);
        }
        assert_eq!(t.record(true), (true, false));
        assert!(t.success);
    }

    #[test]
    fn observations_stay_in_their_spaces_under_random_actions() {
        use rand::{Rng, SeedableRng};
        use sns_spaces::Env;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let mut mc = MountainCar::default();
        let mut pe = Pendulum::default();
        let mut ac = AcrobotContinuous::default();
        let mut cp = CartPoleSwingUp::default();
        mc.reset(Some(1));
        pe.reset(Some(1));
        ac.reset(Some(1));
        cp.reset(Some(1));
        let mut a = [0.0];
        let mut at_stop = 0;
        for t in 0..3000 {
            // Actions held 50 steps, up to 1.5 x the largest force: the cart reaches the stops.
            if t % 50 == 0 {
                let u: f64 = rng.gen_range(-15.0..15.0);
                a = [u];
            }
            let s = mc.step(&[a[0] / 10.0]);
            assert!(mc.observation_space().contains(&s.obs), "{:?}", s.obs);
            let s = pe.step(&[a[0] / 5.0]);
            assert!(pe.observation_space().contains(&s.obs), "{:?}", s.obs);
            let s = ac.step(&[a[0] / 10.0]);
            assert!(ac.observation_space().contains(&s.obs), "{:?}", s.obs);
            let s = cp.step(&a);
            assert!(cp.observation_space().contains(&s.obs), "{:?}", s.obs);
            at_stop += usize::from(s.info.state[0].abs() == 2.4);
        }
        assert!(at_stop > 0);
    }

    #[test]
    fn angle_normalize_matches_python_modulo() {
        use std::f64::consts::PI;
        assert!((angle_normalize(3.0 * PI / 2.0) + PI / 2.0).abs() < 1e-12);
        assert!((angle_normalize(-3.0 * PI / 2.0) - PI / 2.0).abs() < 1e-12);
        assert_eq!(angle_normalize(0.0), 0.0);
        assert!(check_state(&[0.0, f64::NAN]).is_err());
        assert_eq!(action_f32(f64::NAN), 0.0);
    }
}
