//! Bug2 (Lumelsky and Stepanov 1987), with wall following driven by touch.
//!
//! V. J. Lumelsky and A. A. Stepanov, "Path-planning strategies for a point mobile automaton moving
//! amidst unknown obstacles of arbitrary shape", Algorithmica 2 (1987) 403-430.
//!
//! The agent draws the m-line from where the trial starts to the goal and drives along it. When a
//! wall stops it (contact whose normal opposes the direction to the goal) it records the hit point
//! `H` and follows the wall, keeping it on its right, until it is back on the m-line at a point
//! closer to the goal than `H`; there it leaves the wall and drives along the m-line again. Bug2 is
//! complete: it reaches any reachable goal, with a path no longer than `D + 1/2 sum n_i p_i`
//! (`D` the start-goal distance, `p_i` the perimeters of the obstacles the m-line meets `n_i` times);
//! if it comes back to `H` the goal is unreachable and it stops.
//!
//! Wall following uses only the contact normal. While touching, the contact point is
//! `position - normal * BALL_RADIUS`; the agent orbits the last contact point at a radius slightly
//! below the ball's (so it keeps pressing on the wall) in the clockwise sense, which slides it along
//! flat walls, turns it left into inner corners (the normal rotates there) and carries it round
//! outer corners, where contact is lost and the last contact point is the corner. The orbit speed
//! is the speed from which the identified body can stop within [`Bug2::orbit_brake_distance`], so
//! that it can turn round a corner without flying off.

use sns_core::control::{ControlParams, Controller};
use sns_core::{Agent, MazeAgent};
use sns_worlds::physics::BALL_RADIUS;
use sns_worlds::{Observation, Real, Vec2};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// Driving along the m-line from `from` to the goal.
    Go { from: Vec2 },
    /// Following the wall hit at `hit`.
    Follow {
        hit: Vec2,
        hit_dist: Real,
        /// Last contact point (on the wall surface).
        anchor: Vec2,
        /// Distance travelled since the hit.
        travelled: Real,
        /// Signed distance to the m-line at the previous step.
        side: Real,
    },
    /// Back at the hit point: the goal is unreachable.
    Unreachable,
}

/// The Bug2 agent.
#[derive(Debug, Clone)]
pub struct Bug2 {
    /// Tolerance of "on the m-line", in metres. Default 0.05.
    pub on_line: Real,
    /// How much closer to the goal than the hit point the leave point must be, in metres. Default 0.1.
    pub leave_margin: Real,
    /// Cosine below which a contact normal opposes the direction to the goal (a hit). Default -0.1.
    pub hit_cos: Real,
    /// Radius of the orbit round the last contact point, below the ball's radius so the ball presses
    /// on the wall, in metres. Default 0.08.
    pub orbit_radius: Real,
    /// Radial gain pulling the ball to the orbit, in 1/s. Default 10.
    pub orbit_gain: Real,
    /// Distance within which the ball must be able to stop at wall-following speed. Default 0.05 m.
    pub orbit_brake_distance: Real,
    /// Ceiling on the wall-following speed in m/s. Default 2.
    pub max_follow_speed: Real,
    ctrl: Controller,
    mode: Mode,
    /// The m-line: trial start and goal.
    m_start: Vec2,
    goal: Option<Vec2>,
    last_pos: Vec2,
}

impl Bug2 {
    /// A Bug2 agent with the given motor controller parameters.
    pub fn new(control: ControlParams) -> Self {
        Bug2 {
            on_line: 0.05,
            leave_margin: 0.1,
            hit_cos: -0.1,
            orbit_radius: 0.08,
            orbit_gain: 10.0,
            orbit_brake_distance: 0.05,
            max_follow_speed: 2.0,
            ctrl: Controller::new(control),
            mode: Mode::Go { from: Vec2::ZERO },
            m_start: Vec2::ZERO,
            goal: None,
            last_pos: Vec2::ZERO,
        }
    }

    /// Signed distance from `p` to the m-line (positive on its left).
    fn m_side(&self, p: Vec2, goal: Vec2) -> Real {
        let d = (goal - self.m_start).normalized();
        d.cross(p - self.m_start)
    }

    fn wall_follow(&mut self, obs: &Observation, anchor: Vec2) -> Vec2 {
        let r = obs.position - anchor;
        let u = if r.norm() > 1e-9 {
            r.normalized()
        } else {
            obs.contact_normal
        };
        // Clockwise round the anchor: the wall stays on the right.
        let tangent = Vec2::new(u.y, -u.x);
        let speed = self
            .ctrl
            .stopping_speed(self.orbit_brake_distance)
            .min(self.max_follow_speed)
            .min(self.ctrl.params.cruise_speed);
        let v = tangent * speed + u * (self.orbit_gain * (self.orbit_radius - r.norm()));
        self.ctrl.track_velocity(obs, v)
    }
}

impl Agent<Observation, Vec2> for Bug2 {
    fn name(&self) -> &str {
        "bug2"
    }

    fn begin_trial(&mut self, obs: &Observation) {
        self.m_start = obs.position;
        self.goal = obs.goal;
        self.mode = Mode::Go { from: obs.position };
        self.last_pos = obs.position;
    }

    fn act(&mut self, obs: &Observation) -> Vec2 {
        self.ctrl.observe(obs);
        let p = obs.position;
        let step_len = p.dist(self.last_pos);
        self.last_pos = p;
        let Some(goal) = obs.goal else {
            // Bug2 needs a goal; in search mode it stays put.
            return self.ctrl.track_velocity(obs, Vec2::ZERO);
        };
        if obs.goal != self.goal {
            // A new goal: a new m-line from here.
            self.begin_trial(obs);
        }
        if obs.success {
            return self.ctrl.track_velocity(obs, Vec2::ZERO);
        }
        let to_goal = (goal - p).normalized();
        match self.mode {
            Mode::Go { from } => {
                if obs.contact && obs.contact_normal.dot(to_goal) < self.hit_cos {
                    self.mode = Mode::Follow {
                        hit: p,
                        hit_dist: p.dist(goal),
                        anchor: p - obs.contact_normal * BALL_RADIUS,
                        travelled: 0.0,
                        side: self.m_side(p, goal),
                    };
                    return self.act_follow(obs, goal);
                }
                let cruise = self.ctrl.params.cruise_speed;
                self.ctrl.follow(obs, from, goal, cruise)
            }
            Mode::Follow { .. } => {
                if let Mode::Follow { travelled, .. } = &mut self.mode {
                    *travelled += step_len;
                }
                self.act_follow(obs, goal)
            }
            Mode::Unreachable => self.ctrl.track_velocity(obs, Vec2::ZERO),
        }
    }

    fn end_trial(&mut self, _success: bool) {}
}

/// Reports nothing beyond its actions (no graph, no substrate).
impl MazeAgent for Bug2 {}

impl Bug2 {
    fn act_follow(&mut self, obs: &Observation, goal: Vec2) -> Vec2 {
        let Mode::Follow {
            hit,
            hit_dist,
            mut anchor,
            travelled,
            side,
        } = self.mode
        else {
            return self.ctrl.track_velocity(obs, Vec2::ZERO);
        };
        let p = obs.position;
        if obs.contact {
            anchor = p - obs.contact_normal * BALL_RADIUS;
        }
        let new_side = self.m_side(p, goal);
        // On the m-line now, or crossed it during the last step.
        let on_m = new_side.abs() < self.on_line
            || (new_side.signum() != side.signum() && (new_side - side).abs() < 0.5);
        let ahead = (p - self.m_start).dot(goal - self.m_start) >= 0.0;
        let closer = p.dist(goal) < hit_dist - self.leave_margin;
        let free_way =
            !obs.contact || obs.contact_normal.dot((goal - p).normalized()) >= self.hit_cos;
        if on_m && ahead && closer && free_way {
            self.mode = Mode::Go { from: p };
            let cruise = self.ctrl.params.cruise_speed;
            return self.ctrl.follow(obs, p, goal, cruise);
        }
        if travelled > 4.0 * self.orbit_radius + 1.0 && p.dist(hit) < self.on_line {
            // Back at the hit point after going round the obstacle: the goal is unreachable.
            self.mode = Mode::Unreachable;
            return self.ctrl.track_velocity(obs, Vec2::ZERO);
        }
        self.mode = Mode::Follow {
            hit,
            hit_dist,
            anchor,
            travelled,
            side: new_side,
        };
        self.wall_follow(obs, anchor)
    }
}
