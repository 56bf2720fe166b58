//! Ball dynamics and frictionless sliding contact with box walls.
//!
//! `PointMaze` reproduces Gymnasium-Robotics PointMaze v3: a ball of radius 0.1 m and mass
//! 1000 kg/m^3 x 4/3 pi r^3 (about 4.19 kg) on two slide joints with damping 1, driven by a force
//! `100 * action` per axis (action in [-1, 1]^2), velocity clipped to [-5, 5] m/s before each step,
//! semi-implicit Euler with dt = 0.01 s. MuJoCo's soft contacts are replaced by an exact projection:
//! after each step the ball is pushed out of every wall it penetrates along the contact normal and
//! the inward normal velocity is removed (inelastic, frictionless sliding). This is our approximation
//! of MuJoCo's contact solver; it guarantees that the ball is never inside a wall.
//!
//! `Kinematic` is a fast-experiment option: the action is a velocity command `5 * action` m/s.

use crate::math::{Aabb, Real, Vec2};
use crate::maze::MazeMap;
use serde::{Deserialize, Serialize};

/// Radius of the ball in metres.
pub const BALL_RADIUS: Real = 0.1;
/// Control period in seconds (one environment step).
pub const DT: Real = 0.01;
/// Velocity limit per axis in m/s.
pub const MAX_SPEED: Real = 5.0;
/// Motor gear: force per unit action, in newtons.
pub const GEAR: Real = 100.0;
/// Joint damping in N s/m.
pub const DAMPING: Real = 1.0;
/// Mass of the ball in kg (density 1000 kg/m^3).
pub const BALL_MASS: Real =
    1000.0 * 4.0 / 3.0 * std::f64::consts::PI * BALL_RADIUS * BALL_RADIUS * BALL_RADIUS;
/// Tolerance within which the ball counts as touching a wall.
pub const CONTACT_TOLERANCE: Real = 1e-6;

/// Which dynamics drive the ball.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Dynamics {
    /// Damped point mass driven by a force (PointMaze).
    #[default]
    PointMaze,
    /// Velocity command, for fast experiments.
    Kinematic,
}

impl Dynamics {
    /// The lowercase name used on the command line and in results.
    pub fn name(self) -> &'static str {
        match self {
            Dynamics::PointMaze => "pointmaze",
            Dynamics::Kinematic => "kinematic",
        }
    }
}

/// Position and velocity of the ball.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BallState {
    /// Centre position in metres.
    pub pos: Vec2,
    /// Velocity in m/s.
    pub vel: Vec2,
}

/// Result of resolving contacts for one step.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Contact {
    /// Whether the ball touches a wall.
    pub touching: bool,
    /// Unit normal pointing from the walls toward the ball (zero when not touching).
    pub normal: Vec2,
}

/// Advances the ball by one step under `action` (each component clamped to [-1, 1]) and resolves
/// contacts; `motor_scale` multiplies the force (1 normally; 0.5 for a weakened motor).
pub fn step(
    map: &MazeMap,
    dynamics: Dynamics,
    motor_scale: Real,
    state: &mut BallState,
    action: Vec2,
    scratch: &mut Vec<Aabb>,
) -> Contact {
    let a = if action.is_finite() {
        action.clamp_each(1.0)
    } else {
        Vec2::ZERO
    };
    match dynamics {
        Dynamics::PointMaze => {
            state.vel = state.vel.clamp_each(MAX_SPEED);
            let force = a * (GEAR * motor_scale) - state.vel * DAMPING;
            state.vel += force * (DT / BALL_MASS);
        }
        Dynamics::Kinematic => {
            state.vel = a * (MAX_SPEED * motor_scale);
        }
    }
    state.pos += state.vel * DT;
    resolve_contacts(map, state, scratch)
}

/// Pushes the ball out of every wall it penetrates and removes the inward normal velocity.
pub fn resolve_contacts(map: &MazeMap, state: &mut BallState, scratch: &mut Vec<Aabb>) -> Contact {
    let mut normal_sum = Vec2::ZERO;
    let mut touching = false;
    map.walls_near(state.pos, BALL_RADIUS + 0.5, scratch);
    // A few passes settle inner corners, where two walls push in different directions.
    for _ in 0..4 {
        let mut moved = false;
        for b in scratch.iter() {
            let q = b.closest_point(state.pos);
            let d = state.pos - q;
            let dist = d.norm();
            if dist >= BALL_RADIUS + CONTACT_TOLERANCE {
                continue;
            }
            touching = true;
            let n = if dist > 1e-12 {
                d * (1.0 / dist)
            } else {
                // Centre inside the box (only after a wall appears on the ball): leave by the nearest face.
                nearest_face_normal(b, state.pos)
            };
            normal_sum += n;
            let push = if dist > 1e-12 {
                BALL_RADIUS - dist
            } else {
                BALL_RADIUS + face_depth(b, state.pos)
            };
            if push > 0.0 {
                state.pos += n * push;
                moved = true;
            }
            let vn = state.vel.dot(n);
            if vn < 0.0 {
                state.vel -= n * vn;
            }
        }
        if !moved {
            break;
        }
    }
    Contact {
        touching,
        normal: normal_sum.normalized(),
    }
}

fn nearest_face_normal(b: &Aabb, p: Vec2) -> Vec2 {
    let faces = [
        (p.x - b.min.x, Vec2::new(-1.0, 0.0)),
        (b.max.x - p.x, Vec2::new(1.0, 0.0)),
        (p.y - b.min.y, Vec2::new(0.0, -1.0)),
        (b.max.y - p.y, Vec2::new(0.0, 1.0)),
    ];
    faces
        .iter()
        .fold(faces[0], |best, f| if f.0 < best.0 { *f } else { best })
        .1
}

fn face_depth(b: &Aabb, p: Vec2) -> Real {
    (p.x - b.min.x)
        .min(b.max.x - p.x)
        .min(p.y - b.min.y)
        .min(b.max.y - p.y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mass_matches_pointmaze() {
        assert!((BALL_MASS - 4.18879).abs() < 1e-4);
    }

    #[test]
    fn ball_slides_along_wall_without_penetrating() {
        let map = MazeMap::builtin("open").expect("builtin");
        let mut s = BallState {
            pos: map.cell_to_xy((1, 1)),
            vel: Vec2::ZERO,
        };
        let mut scratch = Vec::new();
        let mut touched = false;
        for _ in 0..400 {
            let c = step(
                &map,
                Dynamics::PointMaze,
                1.0,
                &mut s,
                Vec2::new(0.3, 1.0),
                &mut scratch,
            );
            touched |= c.touching;
            assert!(map.wall_distance(s.pos, 1.0) >= BALL_RADIUS - 1e-9);
        }
        assert!(touched);
        // It slid east along the top wall.
        assert!(s.pos.x > map.cell_to_xy((1, 3)).x);
    }
}
