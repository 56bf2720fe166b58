//! Random walk: the floor every other agent must beat.
//!
//! The walk holds a uniformly random heading at the cruise speed of the shared controller (the same
//! speed limit as every agent) for a random time between [`RandomWalk::min_hold`] and
//! [`RandomWalk::max_hold`] steps, then draws a new one; when a wall stops it head-on it draws a new
//! heading in the free half-plane at once. It ignores the goal, so it only finds it by chance. The
//! walk is a pure function of its seed and the observations (ChaCha8 from a `u64`).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sns_core::control::{ControlParams, Controller};
use sns_core::{Agent, MazeAgent};
use sns_worlds::{Observation, Vec2};

/// A seeded random walk.
#[derive(Debug, Clone)]
pub struct RandomWalk {
    /// Fewest steps a heading is held. Default 20 (0.2 s).
    pub min_hold: u64,
    /// Most steps a heading is held. Default 100 (1 s).
    pub max_hold: u64,
    rng: ChaCha8Rng,
    ctrl: Controller,
    heading: Vec2,
    left: u64,
}

impl RandomWalk {
    /// A random walk seeded from `seed`.
    pub fn new(seed: u64, control: ControlParams) -> Self {
        RandomWalk {
            min_hold: 20,
            max_hold: 100,
            rng: ChaCha8Rng::seed_from_u64(seed),
            ctrl: Controller::new(control),
            heading: Vec2::ZERO,
            left: 0,
        }
    }

    fn draw(&mut self, away_from: Option<Vec2>) {
        let angle = self.rng.gen_range(0.0..std::f64::consts::TAU);
        let mut h = Vec2::new(angle.cos(), angle.sin());
        if let Some(n) = away_from {
            // Reflect headings that point into the wall so that the new one leaves it.
            if h.dot(n) < 0.0 {
                h = h - n * (2.0 * h.dot(n));
            }
        }
        self.heading = h;
        self.left = self
            .rng
            .gen_range(self.min_hold..=self.max_hold.max(self.min_hold));
    }
}

impl Agent<Observation, Vec2> for RandomWalk {
    fn name(&self) -> &str {
        "random"
    }

    fn begin_trial(&mut self, _obs: &Observation) {
        self.left = 0;
    }

    fn act(&mut self, obs: &Observation) -> Vec2 {
        self.ctrl.observe(obs);
        if obs.success {
            return self.ctrl.track_velocity(obs, Vec2::ZERO);
        }
        let blocked = obs.contact && self.heading.dot(obs.contact_normal) < -0.7;
        if self.left == 0 || blocked {
            self.draw(obs.contact.then_some(obs.contact_normal));
        }
        self.left = self.left.saturating_sub(1);
        let v = self.heading * self.ctrl.params.cruise_speed;
        self.ctrl.track_velocity(obs, v)
    }

    fn end_trial(&mut self, _success: bool) {}
}

/// Reports nothing beyond its actions (no graph, no substrate).
impl MazeAgent for RandomWalk {}
