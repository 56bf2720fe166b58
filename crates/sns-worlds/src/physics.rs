//! Ball dynamics and frictionless sliding contact with box walls.
//!
//! `PointMaze` reproduces Gymnasium-Robotics PointMaze v3 as MuJoCo computes it: a ball of radius
//! 0.1 m and mass 1000 kg/m^3 x 4/3 pi r^3 (about 4.19 kg) on two slide joints with damping
//! D = 1 N s/m, driven by a force F = `100 * action` per axis (action clipped to [-1, 1]^2). Each
//! step is PointEnv's: the velocity is clipped to [-5, 5] m/s per axis, then one MuJoCo step
//! (frame skip 1, h = 0.01 s) of the Euler integrator, which takes the joint damping implicitly
//! (`eulerdamp`, on by default): `v' = v + h (F - D v) / (m + h D)`, then `x' = x + h v'`. In free
//! space this agrees with MuJoCo 3.17 to about 1e-14 m over 300 steps (`tests/mujoco/`).
//!
//! Contact is ours, not MuJoCo's: after each step the ball is pushed out of every wall it
//! penetrates along the contact normal and the inward normal velocity is removed (inelastic,
//! frictionless sliding), so the ball is never inside a wall. MuJoCo's soft contact instead lets
//! the ball sink into the wall (up to 4.8 cm at 5 m/s) and bounce back (up to 1.4 m/s after a
//! 5 m/s impact). Contacts are taken against the true outline of the walls, a union of unit boxes:
//! a box corner counts only where the wall has a corner, so an impact on a flat wall next to the
//! seam of two boxes is square to the wall (resolving it against one box's corner once kicked the
//! ball 2.3 m/s sideways).
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
            // PointEnv clips the velocity before `do_simulation`; then one `mj_step` (frame_skip 1)
            // with MuJoCo's Euler integrator, which takes the joint damping implicitly (`eulerdamp`):
            // qacc = (M + h D)^-1 (F - D v), v' = v + h qacc, x' = x + h v'.
            state.vel = state.vel.clamp_each(MAX_SPEED);
            let force = a * (GEAR * motor_scale) - state.vel * DAMPING;
            let qacc = force * (1.0 / (BALL_MASS + DT * DAMPING));
            state.vel += qacc * DT;
        }
        Dynamics::Kinematic => {
            state.vel = a * (MAX_SPEED * motor_scale);
        }
    }
    state.pos += state.vel * DT;
    resolve_contacts(map, state, scratch)
}

/// Pushes the ball out of every wall it penetrates and removes the inward normal velocity, taking
/// contacts against the outline of the walls (a box corner inside a flat wall is skipped, see
/// `on_outline`).
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
            if dist >= BALL_RADIUS + CONTACT_TOLERANCE || !on_outline(map, b, state.pos) {
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

/// Whether the point of box `b` nearest to `p` lies on the outline of the union of wall cells.
///
/// Walls are unions of unit boxes, so a box's corner is often not a corner of the wall: where a
/// neighbouring cell is also a wall, the corner lies on that neighbour's face (or inside the wall).
/// Resolving a contact against such a corner would push the ball along the corner's diagonal and
/// kick it sideways on a flat wall (a 5 m/s impact within a few cm of the seam between two boxes
/// once gave 2.3 m/s sideways). The neighbour's own face gives the true contact, so the false
/// corner is skipped. A corner is kept where both cells beside it across its two faces are free
/// (a diagonal-only neighbour makes a pinch: both corners are real). Faces need no check: the
/// ball reaches a face shared with another wall cell only from inside that cell.
fn on_outline(map: &MazeMap, b: &Aabb, p: Vec2) -> bool {
    let side = |v: Real, lo: Real, hi: Real| -> i64 {
        if v < lo {
            -1
        } else if v > hi {
            1
        } else {
            0
        }
    };
    let sx = side(p.x, b.min.x, b.max.x);
    let sy = side(p.y, b.min.y, b.max.y);
    if sx == 0 || sy == 0 {
        return true;
    }
    let centre = (b.min + b.max) * 0.5;
    let (row, col) = map.xy_to_cell(centre);
    // Rows grow toward -y.
    !map.is_wall(row, col + sx) && !map.is_wall(row - sy, col)
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

    /// One step from rest at exactly the speed limit matches MuJoCo's Euler step with implicit
    /// damping, not the explicit one (which differs by 1e-5 m/s per step at 5 m/s).
    #[test]
    fn damping_is_implicit_as_in_mujoco_euler() {
        let map = MazeMap::builtin("open").expect("builtin");
        let v0 = Vec2::new(MAX_SPEED, -2.0);
        let x0 = map.cell_to_xy((2, 3));
        let mut s = BallState { pos: x0, vel: v0 };
        let a = Vec2::new(0.5, 1.0);
        let c = step(&map, Dynamics::PointMaze, 1.0, &mut s, a, &mut Vec::new());
        assert!(!c.touching);
        for (v, ax, v1, x, x1) in [
            (v0.x, a.x, s.vel.x, x0.x, s.pos.x),
            (v0.y, a.y, s.vel.y, x0.y, s.pos.y),
        ] {
            let expect = v + DT * (GEAR * ax - DAMPING * v) / (BALL_MASS + DT * DAMPING);
            assert!((v1 - expect).abs() < 1e-14, "v {v1} vs {expect}");
            let explicit = v + DT * (GEAR * ax - DAMPING * v) / BALL_MASS;
            assert!((v1 - explicit).abs() > 1e-6);
            assert!((x1 - (x + DT * v1)).abs() < 1e-14, "semi-implicit position");
        }
        // Clipped before the step: 7 m/s acts as 5 m/s.
        let mut fast = BallState {
            pos: x0,
            vel: Vec2::new(7.0, 0.0),
        };
        let mut clipped = BallState {
            pos: x0,
            vel: Vec2::new(MAX_SPEED, 0.0),
        };
        step(
            &map,
            Dynamics::PointMaze,
            1.0,
            &mut fast,
            a,
            &mut Vec::new(),
        );
        step(
            &map,
            Dynamics::PointMaze,
            1.0,
            &mut clipped,
            a,
            &mut Vec::new(),
        );
        assert_eq!(fast, clipped);
    }

    /// Drives the ball at `speed` into the flat wall in direction `dir` (a unit axis vector), from
    /// `gap` metres before contact and `offset` metres along the wall from `seam_at` (a point on
    /// the seam line between two wall boxes, at the height of the ball's centre), with full force
    /// toward the wall; returns the largest speed along the wall over the 30 steps.
    fn sideways_after_impact(
        map: &MazeMap,
        seam_at: Vec2,
        dir: Vec2,
        offset: Real,
        gap: Real,
        speed: Real,
    ) -> Real {
        let along = dir.perp();
        let mut s = BallState {
            pos: seam_at - dir * gap + along * offset,
            vel: dir * speed,
        };
        let mut scratch = Vec::new();
        let mut worst: Real = 0.0;
        let mut hit = false;
        for _ in 0..30 {
            let c = step(map, Dynamics::PointMaze, 1.0, &mut s, dir, &mut scratch);
            hit |= c.touching;
            worst = worst.max(s.vel.dot(along).abs());
            if c.touching {
                assert!(
                    (c.normal + dir).norm() < 1e-9,
                    "contact normal {:?} on a flat wall facing {:?}",
                    c.normal,
                    -dir
                );
            }
        }
        assert!(hit, "never reached the wall");
        worst
    }

    /// The seams of the outer walls of `open` (5x7): the wall face and seam positions the ball can
    /// reach, one per direction, as (point on the seam at the ball's centre in contact, direction).
    fn open_seams(map: &MazeMap) -> Vec<(Vec2, Vec2)> {
        let r = BALL_RADIUS;
        let lo = map.cell_box(3, 1).min; // lower-left corner of the free area
        let hi = map.cell_box(1, 5).max; // upper-right corner
        let mut v = Vec::new();
        for y in [lo.y + 1.0, lo.y + 2.0] {
            v.push((Vec2::new(lo.x + r, y), Vec2::new(-1.0, 0.0)));
            v.push((Vec2::new(hi.x - r, y), Vec2::new(1.0, 0.0)));
        }
        for x in [lo.x + 1.0, lo.x + 2.0, lo.x + 3.0, lo.x + 4.0] {
            v.push((Vec2::new(x, lo.y + r), Vec2::new(0.0, -1.0)));
            v.push((Vec2::new(x, hi.y - r), Vec2::new(0.0, 1.0)));
        }
        v
    }

    /// Regression: a 5 m/s impact within a few cm of the seam between two wall boxes was resolved
    /// against the box's corner and kicked the ball 2.3 m/s sideways (south on vertical walls, east
    /// on horizontal ones). On a flat wall it must not move sideways at all.
    #[test]
    fn impacts_near_seams_do_not_kick_sideways() {
        let map = MazeMap::builtin("open").expect("builtin");
        for (seam, dir) in open_seams(&map) {
            for offset in [-0.03, -0.01, -0.002, -1e-7, 0.0, 1e-7, 0.002, 0.01, 0.03] {
                for gap in [0.003, 0.017, 0.031, 0.049] {
                    let w = sideways_after_impact(&map, seam, dir, offset, gap + 0.2, MAX_SPEED);
                    assert!(
                        w < 1e-12,
                        "seam {seam:?} dir {dir:?} offset {offset} gap {gap}: {w} m/s sideways"
                    );
                }
            }
        }
    }

    /// A real corner still deflects: a ball hitting the convex corner of a single wall block
    /// off-centre is pushed along the corner's diagonal.
    #[test]
    fn real_corners_still_deflect() {
        let map = MazeMap::parse("block", "11111\n10001\n10101\n10001\n11111\n").expect("map");
        let b = map.cell_box(2, 2);
        // Heading east just below the block's lower-left corner height, the ball grazes it.
        let mut s = BallState {
            pos: Vec2::new(b.min.x - 0.3, b.min.y - 0.06),
            vel: Vec2::new(MAX_SPEED, 0.0),
        };
        let mut scratch = Vec::new();
        let mut sideways: Real = 0.0;
        for _ in 0..20 {
            step(
                &map,
                Dynamics::PointMaze,
                1.0,
                &mut s,
                Vec2::new(1.0, 0.0),
                &mut scratch,
            );
            sideways = sideways.min(s.vel.y);
        }
        assert!(
            sideways < -0.5,
            "the corner pushed the ball south at only {sideways} m/s"
        );
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
