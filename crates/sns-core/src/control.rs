//! The motor primitive shared by every agent: drive the ball along a segment toward a waypoint.
//!
//! The agent is not told its dynamics. The controller identifies them online: it fits the per-axis
//! model `v' = alpha v + b a` (velocity after a step from velocity and action) by recursive least
//! squares with forgetting on contact-free steps, then commands the action that reaches the
//! desired velocity in one step, clamped to [-1, 1]. The desired velocity points along the segment,
//! corrects the cross-track error, and slows down before turns so that the ball can stop or turn
//! within the braking distance the identified model allows. PointMaze's force dynamics give
//! `alpha ~ 1, b ~ 0.24`; the kinematic option gives `alpha = 0, b = 5`.

use sns_worlds::{Observation, Real, Vec2};

/// Parameters of the controller.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ControlParams {
    /// Cruise speed in m/s. Default 4.0 (the world clips at 5).
    pub cruise_speed: Real,
    /// Fraction of the identified maximum deceleration used for braking. Default 0.5.
    pub brake_fraction: Real,
    /// Cross-track correction gain in 1/s. Default 6.
    pub cross_track_gain: Real,
    /// Control period in seconds (known from the step rate). Default 0.01.
    pub dt: Real,
    /// Within this distance of the target, in metres, the body heads for it directly instead of
    /// along the segment. Default 0.3.
    pub direct_radius: Real,
    /// How far past a corner the body may overshoot, in metres: a turn is taken at the speed
    /// from which the body stops within this distance (divided by the sine of half the turn).
    /// Default 0.25.
    pub corner_overshoot: Real,
    /// Floor of the identified maximum deceleration, in m/s^2 (before the model is
    /// identified). Default 1.
    pub min_decel: Real,
    /// Turns below this angle, in radians, are taken at cruise speed. Default 0.2.
    pub straight_turn: Real,
    /// Forgetting factor per contact-free step of the least-squares identification of the
    /// dynamics (a memory of about `1 / (1 - forgetting)` steps). Default 0.995.
    pub forgetting: Real,
}

impl Default for ControlParams {
    fn default() -> Self {
        ControlParams {
            cruise_speed: 4.0,
            brake_fraction: 0.5,
            cross_track_gain: 6.0,
            dt: 0.01,
            direct_radius: 0.3,
            corner_overshoot: 0.25,
            min_decel: 1.0,
            straight_turn: 0.2,
            forgetting: 0.995,
        }
    }
}

/// Online-identified velocity model and waypoint controller.
#[derive(Debug, Clone)]
pub struct Controller {
    /// Parameters.
    pub params: ControlParams,
    // Normal equations of the least-squares fit of [alpha, b], with forgetting.
    sxx: [[Real; 2]; 2],
    sxy: [Real; 2],
    alpha: Real,
    b: Real,
    last: Option<(Vec2, Vec2)>,
}

impl Controller {
    /// A controller with a cautious prior (a force-driven body with a small gain).
    pub fn new(params: ControlParams) -> Self {
        Controller {
            params,
            sxx: [[1e-3, 0.0], [0.0, 1e-3]],
            sxy: [1e-3, 2e-4],
            alpha: 1.0,
            b: 0.2,
            last: None,
        }
    }

    /// The identified `(alpha, b)`.
    pub fn model(&self) -> (Real, Real) {
        (self.alpha, self.b)
    }

    /// Largest deceleration the body can produce, in m/s^2 (from the identified gain).
    pub fn max_decel(&self) -> Real {
        (self.b.abs() / self.params.dt).max(self.params.min_decel)
    }

    /// Speed from which the ball can stop within `d` metres.
    pub fn stopping_speed(&self, d: Real) -> Real {
        (2.0 * self.params.brake_fraction * self.max_decel() * d.max(0.0)).sqrt()
    }

    /// Updates the model with the observed response to the previous action.
    pub fn observe(&mut self, obs: &Observation) {
        if let Some((v0, a0)) = self.last.take() {
            if !obs.contact {
                let lambda = self.params.forgetting;
                for (v, a, v1) in [(v0.x, a0.x, obs.velocity.x), (v0.y, a0.y, obs.velocity.y)] {
                    let x = [v, a];
                    for i in 0..2 {
                        for j in 0..2 {
                            self.sxx[i][j] = lambda * self.sxx[i][j] + x[i] * x[j];
                        }
                        self.sxy[i] = lambda * self.sxy[i] + x[i] * v1;
                    }
                }
                let det = self.sxx[0][0] * self.sxx[1][1] - self.sxx[0][1] * self.sxx[1][0];
                if det.abs() > 1e-9 {
                    let alpha = (self.sxx[1][1] * self.sxy[0] - self.sxx[0][1] * self.sxy[1]) / det;
                    let b = (self.sxx[0][0] * self.sxy[1] - self.sxx[1][0] * self.sxy[0]) / det;
                    if alpha.is_finite() && b.is_finite() && b > 1e-3 {
                        self.alpha = alpha.clamp(0.0, 1.05);
                        self.b = b;
                    }
                }
            }
        }
    }

    /// The action that brings the velocity to `v_des` as fast as the body allows.
    pub fn track_velocity(&mut self, obs: &Observation, v_des: Vec2) -> Vec2 {
        let v = obs.velocity;
        let a = ((v_des - v * self.alpha) * (1.0 / self.b)).clamp_each(1.0);
        self.last = Some((v, a));
        a
    }

    /// Drives along the segment `from -> to`, arriving at `to` with at most `exit_speed`.
    pub fn follow(&mut self, obs: &Observation, from: Vec2, to: Vec2, exit_speed: Real) -> Vec2 {
        let p = obs.position;
        let seg = to - from;
        let len = seg.norm();
        let (dir, cross) = if len > 1e-9 {
            let t = seg * (1.0 / len);
            let s = (p - from).dot(t).clamp(0.0, len);
            (t, from + t * s - p)
        } else {
            ((to - p).normalized(), Vec2::ZERO)
        };
        let remaining = p.dist(to);
        // Head for the target directly when close, along the segment otherwise.
        let heading = if remaining < self.params.direct_radius || len < 1e-9 {
            (to - p).normalized()
        } else {
            dir
        };
        let speed = self
            .params
            .cruise_speed
            .min((exit_speed * exit_speed + self.stopping_speed(remaining).powi(2)).sqrt())
            .min(self.params.cruise_speed);
        let v_des = heading * speed + cross * self.params.cross_track_gain;
        self.track_velocity(obs, v_des)
    }

    /// The speed at which a turn of `angle` radians at a waypoint can be taken.
    pub fn turn_speed(&self, angle: Real) -> Real {
        let a = angle.abs().min(std::f64::consts::PI);
        if a < self.params.straight_turn {
            return self.params.cruise_speed;
        }
        // Overshoot past the corner must stay within about `corner_overshoot`.
        let corner = self.stopping_speed(self.params.corner_overshoot) / (a / 2.0).sin().max(0.3);
        corner.min(self.params.cruise_speed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sns_worlds::physics::Dynamics;
    use sns_worlds::{EnvConfig, MazeEnv, MazeMap};

    fn identified(dynamics: Dynamics) -> (Real, Real) {
        let cfg = EnvConfig {
            dynamics,
            ..EnvConfig::default()
        };
        let mut env = MazeEnv::new(MazeMap::builtin("open").unwrap(), cfg).unwrap();
        let (mut obs, _) = env.reset(1);
        let mut c = Controller::new(ControlParams::default());
        let (a, b) = (obs.position, obs.position + Vec2::new(2.0, 0.5));
        for k in 0..300 {
            c.observe(&obs);
            let to = if k % 100 < 50 { b } else { a };
            obs = env.step(c.follow(&obs, obs.position, to, 0.0)).obs;
        }
        c.model()
    }

    /// Regression: samples at the speed clip were once left out, so kinematic dynamics were never
    /// identified.
    #[test]
    fn identifies_both_dynamics() {
        let (alpha, b) = identified(Dynamics::Kinematic);
        assert!(
            alpha.abs() < 0.05 && (b - 5.0).abs() < 0.2,
            "kinematic: alpha {alpha}, b {b}"
        );
        let (alpha, b) = identified(Dynamics::PointMaze);
        let b_true =
            sns_worlds::physics::GEAR * sns_worlds::physics::DT / sns_worlds::physics::BALL_MASS;
        assert!(
            (alpha - 1.0).abs() < 0.05 && (b - b_true).abs() < 0.03,
            "pointmaze: alpha {alpha}, b {b}"
        );
    }
}
