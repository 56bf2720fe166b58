//! Following a polyline of waypoints with the shared motor controller (used by the oracle and
//! D* Lite, which differ only in where their waypoints come from).
//!
//! The follower drives segment by segment with [`Controller::follow`]. The exit speed at each
//! waypoint comes from a speed profile over the rest of the path: the turn at a waypoint is summed
//! with the turns of the waypoints that follow within [`CORNER_SPAN`] (the oracle rounds a corner
//! with several short polygon sides, which together make one turn), the controller's
//! [`Controller::turn_speed`] caps the speed there, and a backward pass lowers each cap so that
//! the ball can brake to the next one.

use sns_core::control::Controller;
use sns_worlds::{Observation, Real, Vec2};

/// Waypoints closer than this to a turning waypoint count as part of the same corner, in metres.
pub const CORNER_SPAN: Real = 0.3;
/// A waypoint counts as reached within this distance, in metres.
pub const ARRIVE_RADIUS: Real = 0.1;

/// A polyline and the index of the waypoint being driven to.
#[derive(Debug, Clone, PartialEq)]
pub struct PathFollower {
    waypoints: Vec<Vec2>,
    next: usize,
}

impl PathFollower {
    /// A follower of `waypoints` (the first is where the ball is, the last is the goal).
    pub fn new(waypoints: Vec<Vec2>) -> Self {
        PathFollower { waypoints, next: 1 }
    }

    /// The waypoints.
    pub fn waypoints(&self) -> &[Vec2] {
        &self.waypoints
    }

    /// Whether the last waypoint has been reached.
    pub fn is_done(&self) -> bool {
        self.next >= self.waypoints.len()
    }

    /// The action for this step; `final_speed` is the speed allowed at the last waypoint.
    pub fn act(&mut self, obs: &Observation, ctrl: &mut Controller, final_speed: Real) -> Vec2 {
        let p = obs.position;
        // Advance past every waypoint already reached or overtaken.
        while self.next + 1 < self.waypoints.len() {
            let (a, b) = (self.waypoints[self.next - 1], self.waypoints[self.next]);
            let seg = b - a;
            let len = seg.norm();
            let passed = len > 1e-9 && (p - a).dot(seg) / len >= len;
            if p.dist(b) < ARRIVE_RADIUS || passed {
                self.next += 1;
            } else {
                break;
            }
        }
        if self.is_done() || self.waypoints.len() < 2 {
            return ctrl.track_velocity(obs, Vec2::ZERO);
        }
        let from = self.waypoints[self.next - 1];
        let to = self.waypoints[self.next];
        let exit = self.exit_speed(ctrl, final_speed);
        ctrl.follow(obs, from, to, exit)
    }

    /// Speed allowed when passing the current target waypoint.
    fn exit_speed(&self, ctrl: &Controller, final_speed: Real) -> Real {
        let w = &self.waypoints;
        let last = w.len() - 1;
        // Backward pass from the goal to the current target: v_k <= turn cap at k, and
        // v_k^2 <= v_{k+1}^2 + (stopping speed over the segment k -> k+1)^2.
        let mut v = final_speed;
        for k in (self.next..last).rev() {
            let d = w[k].dist(w[k + 1]);
            let brake = ctrl.stopping_speed(d);
            let reach = (v * v + brake * brake).sqrt();
            v = reach.min(ctrl.turn_speed(corner_angle(w, k)));
        }
        v
    }
}

/// Total turn, in radians, of the corner that starts at waypoint `k` (its own turn plus those of the
/// waypoints within [`CORNER_SPAN`] after it).
pub fn corner_angle(w: &[Vec2], k: usize) -> Real {
    let mut total = 0.0;
    let mut j = k;
    while j > 0 && j + 1 < w.len() && w[j].dist(w[k]) <= CORNER_SPAN {
        let a = (w[j] - w[j - 1]).normalized();
        let b = (w[j + 1] - w[j]).normalized();
        total += a.cross(b).atan2(a.dot(b));
        j += 1;
    }
    total.abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corner_angle_sums_a_rounded_corner() {
        // A right-angle corner cut into three 45-degree-ish pieces sums to about 90 degrees.
        let w = vec![
            Vec2::new(0.0, 0.0),
            Vec2::new(1.0, 0.0),
            Vec2::new(1.07, 0.03),
            Vec2::new(1.1, 0.1),
            Vec2::new(1.1, 1.0),
        ];
        let a = corner_angle(&w, 1);
        assert!((a - std::f64::consts::FRAC_PI_2).abs() < 1e-9, "{a}");
        // A straight line has no turn.
        let s = vec![
            Vec2::new(0.0, 0.0),
            Vec2::new(1.0, 0.0),
            Vec2::new(2.0, 0.0),
        ];
        assert!(corner_angle(&s, 1).abs() < 1e-12);
    }
}
