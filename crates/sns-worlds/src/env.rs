//! The maze world with a Gymnasium-like interface.
//!
//! `reset` draws the task (start and goal) from the seed exactly as PointMaze's reset does,
//! `reset_to` starts from an exact ball state and goal (no noise: for cross-checks against MuJoCo),
//! and `restart` puts the ball back at the same start for the next trial of the same task. `step`
//! returns the observation (the only thing agents see), the reward, `terminated` (goal reached),
//! `truncated` (step budget) and a typed [`Info`] for the harness.

use crate::error::WorldError;
use crate::math::{Aabb, Real, Vec2};
use crate::maze::{ogbench_tasks, Cell, CellIx, MazeMap};
use crate::physics::{self, BallState, Contact, Dynamics};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Distance to the goal at which the task counts as solved (PointMaze's code uses 0.45).
pub const GOAL_RADIUS: Real = 0.45;
/// Uniform noise added to the start and goal positions, per axis (PointMaze's `position_noise_range`).
pub const POSITION_NOISE: Real = 0.25;

/// The named random number generator of the project.
pub type SnsRng = ChaCha8Rng;

/// What an agent senses at each step, and nothing else (the map is never given).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Observation {
    /// Ball position (PointMaze `achieved_goal`).
    pub position: Vec2,
    /// Ball velocity.
    pub velocity: Vec2,
    /// Whether the ball touches a wall.
    pub contact: bool,
    /// Unit contact normal pointing away from the wall (zero without contact).
    pub contact_normal: Vec2,
    /// Goal position (PointMaze `desired_goal`); `None` in search mode.
    pub goal: Option<Vec2>,
    /// Whether the goal is reached.
    pub success: bool,
}

/// Diagnostic information for the harness (agents must not read it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Info {
    /// Steps taken since the last reset or restart.
    pub steps: u64,
    /// Distance from the ball to the goal.
    pub goal_distance: Real,
    /// Whether the goal is reached.
    pub is_success: bool,
}

/// What one step returns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepResult {
    /// The new observation.
    pub obs: Observation,
    /// Sparse reward: 1 on success, else 0.
    pub reward: Real,
    /// The goal was reached.
    pub terminated: bool,
    /// The step budget ran out.
    pub truncated: bool,
    /// Diagnostics.
    pub info: Info,
}

/// How the start and goal are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct TaskSpec {
    /// Pinned start cell.
    pub start: Option<CellIx>,
    /// Pinned goal cell.
    pub goal: Option<CellIx>,
    /// OGBench fixed task 1..=5 (overrides unpinned cells).
    pub task: Option<u32>,
}

/// Configuration of a maze world.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvConfig {
    /// Ball dynamics. Default: PointMaze.
    pub dynamics: Dynamics,
    /// Step budget of one trial (truncation). Default: 100000.
    pub max_steps: u64,
    /// Start and goal selection. Default: drawn from the map like PointMaze.
    pub task: TaskSpec,
    /// Search mode: hide the goal position from the observation. Default: false.
    pub hide_goal: bool,
}

impl Default for EnvConfig {
    fn default() -> Self {
        EnvConfig {
            dynamics: Dynamics::PointMaze,
            max_steps: 100_000,
            task: TaskSpec::default(),
            hide_goal: false,
        }
    }
}

/// A continuous 2-D maze world.
#[derive(Debug, Clone)]
pub struct MazeEnv {
    map: MazeMap,
    config: EnvConfig,
    rng: SnsRng,
    start: Vec2,
    goal: Vec2,
    ball: BallState,
    contact: Contact,
    steps: u64,
    motor_scale: Real,
    scratch: Vec<Aabb>,
}

impl MazeEnv {
    /// A world on `map`; validates pinned cells and tasks. Call [`MazeEnv::reset`] before stepping.
    pub fn new(map: MazeMap, config: EnvConfig) -> Result<MazeEnv, WorldError> {
        if let Some(t) = config.task.task {
            let tasks = ogbench_tasks(&map.name).ok_or_else(|| WorldError::BadTask {
                task: t,
                reason: format!(
                    "maze '{}' has no OGBench tasks (medium, large and giant do)",
                    map.name
                ),
            })?;
            if !(1..=tasks.len() as u32).contains(&t) {
                return Err(WorldError::BadTask {
                    task: t,
                    reason: "tasks are numbered 1 to 5".into(),
                });
            }
        }
        if let Some((r, c)) = config.task.start {
            map.check_free("start", r, c)?;
        }
        if let Some((r, c)) = config.task.goal {
            map.check_free("goal", r, c)?;
        }
        let start = map.cell_to_xy(map.free_cells()[0]);
        Ok(MazeEnv {
            map,
            config,
            rng: SnsRng::seed_from_u64(0),
            start,
            goal: start,
            ball: BallState {
                pos: start,
                vel: Vec2::ZERO,
            },
            contact: Contact::default(),
            steps: 0,
            motor_scale: 1.0,
            scratch: Vec::new(),
        })
    }

    /// Draws a new task from `seed` (PointMaze's reset) and puts the ball at its start.
    pub fn reset(&mut self, seed: u64) -> (Observation, Info) {
        self.rng = SnsRng::seed_from_u64(seed);
        let (start_cell, goal_cell) = self.draw_cells();
        self.goal = self.noisy(goal_cell);
        self.start = self.noisy(start_cell);
        self.restart()
    }

    /// Starts a trial from exactly `ball` (position and velocity, no noise) with the goal at
    /// `goal`, for comparing with another simulator from the same state (PointMaze's `reset`
    /// always adds noise; its `set_state(qpos, qvel)` is the counterpart of this). The ball's
    /// position becomes the task's start, so [`MazeEnv::restart`] puts it back there, at rest.
    /// The state is taken as given: a ball touching a wall keeps its velocity until the next
    /// [`MazeEnv::step`] resolves the contact.
    ///
    /// # Errors
    /// [`WorldError::BadState`] when a component is not finite or the ball overlaps a wall.
    pub fn reset_to(
        &mut self,
        ball: BallState,
        goal: Vec2,
    ) -> Result<(Observation, Info), WorldError> {
        let bad = |reason: String| Err(WorldError::BadState { reason });
        if !(ball.pos.is_finite() && ball.vel.is_finite() && goal.is_finite()) {
            return bad(format!(
                "position {:?}, velocity {:?} and goal {:?} must be finite",
                ball.pos, ball.vel, goal
            ));
        }
        let d = self.map.wall_distance(ball.pos, 1.0);
        if d < physics::BALL_RADIUS - 1e-9 {
            return bad(format!(
                "the ball at ({}, {}) overlaps a wall: its centre is {d} m from it, less than the radius {}",
                ball.pos.x,
                ball.pos.y,
                physics::BALL_RADIUS
            ));
        }
        self.start = ball.pos;
        self.goal = goal;
        self.ball = ball;
        self.steps = 0;
        // Contact flags only: resolving on a copy leaves the given velocity as it is.
        let mut copy = ball;
        self.contact = physics::resolve_contacts(&self.map, &mut copy, &mut self.scratch);
        Ok((self.observation(), self.info()))
    }

    /// Puts the ball back at the task's start, at rest, for a new trial of the same task.
    pub fn restart(&mut self) -> (Observation, Info) {
        self.ball = BallState {
            pos: self.start,
            vel: Vec2::ZERO,
        };
        self.steps = 0;
        self.contact = physics::resolve_contacts(&self.map, &mut self.ball, &mut self.scratch);
        (self.observation(), self.info())
    }

    fn draw_cells(&mut self) -> (CellIx, CellIx) {
        let t = self.config.task;
        let ogb = t
            .task
            .and_then(|k| ogbench_tasks(&self.map.name).map(|ts| ts[(k - 1) as usize]));
        let goal_cell = t.goal.or(ogb.map(|x| x.1)).unwrap_or_else(|| {
            let mut cands = self
                .map
                .cells_where(|c| matches!(c, Cell::Goal | Cell::Combined));
            if cands.is_empty() {
                cands = self.map.free_cells();
            }
            cands[self.rng.gen_range(0..cands.len())]
        });
        let start_cell = t.start.or(ogb.map(|x| x.0)).unwrap_or_else(|| {
            let mut cands = self
                .map
                .cells_where(|c| matches!(c, Cell::Reset | Cell::Combined));
            if cands.is_empty() {
                cands = self.map.free_cells();
            }
            let g = self.map.cell_to_xy(goal_cell);
            let far: Vec<CellIx> = cands
                .iter()
                .copied()
                .filter(|&c| self.map.cell_to_xy(c).dist(g) > 0.5)
                .collect();
            // PointMaze redraws until the start is more than 0.5 from the goal; with a single free
            // cell that would never end, so we keep the goal cell then.
            let pool = if far.is_empty() { cands } else { far };
            pool[self.rng.gen_range(0..pool.len())]
        });
        (start_cell, goal_cell)
    }

    fn noisy(&mut self, cell: CellIx) -> Vec2 {
        let c = self.map.cell_to_xy(cell);
        let dx = self.rng.gen_range(-POSITION_NOISE..=POSITION_NOISE);
        let dy = self.rng.gen_range(-POSITION_NOISE..=POSITION_NOISE);
        c + Vec2::new(dx, dy)
    }

    /// Advances the world by one step.
    pub fn step(&mut self, action: Vec2) -> StepResult {
        self.contact = physics::step(
            &self.map,
            self.config.dynamics,
            self.motor_scale,
            &mut self.ball,
            action,
            &mut self.scratch,
        );
        self.steps += 1;
        let obs = self.observation();
        let info = self.info();
        StepResult {
            obs,
            reward: if info.is_success { 1.0 } else { 0.0 },
            terminated: info.is_success,
            truncated: !info.is_success && self.steps >= self.config.max_steps,
            info,
        }
    }

    /// The current observation.
    pub fn observation(&self) -> Observation {
        let success = self.ball.pos.dist(self.goal) <= GOAL_RADIUS;
        Observation {
            position: self.ball.pos,
            velocity: self.ball.vel,
            contact: self.contact.touching,
            contact_normal: self.contact.normal,
            goal: if self.config.hide_goal {
                None
            } else {
                Some(self.goal)
            },
            success,
        }
    }

    fn info(&self) -> Info {
        let d = self.ball.pos.dist(self.goal);
        Info {
            steps: self.steps,
            goal_distance: d,
            is_success: d <= GOAL_RADIUS,
        }
    }

    /// The map (for the harness, oracle and plots; never for agents).
    pub fn map(&self) -> &MazeMap {
        &self.map
    }

    /// The configuration.
    pub fn config(&self) -> &EnvConfig {
        &self.config
    }

    /// The task's start position.
    pub fn start(&self) -> Vec2 {
        self.start
    }

    /// The task's goal position.
    pub fn goal(&self) -> Vec2 {
        self.goal
    }

    /// Ball state (for the harness).
    pub fn ball(&self) -> BallState {
        self.ball
    }

    /// Steps taken in the current trial.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Scales the motor force (1 normal, 0.5 halved); used by changing-world scenarios.
    pub fn set_motor_scale(&mut self, s: Real) {
        self.motor_scale = s;
    }

    /// Changes one cell of the map (a door closes or a shortcut opens). When a cell closes on the
    /// ball, the ball is pushed out of the new wall by the nearest face and stopped, so it is never
    /// inside a wall.
    pub fn set_cell(&mut self, cell: CellIx, value: Cell) {
        self.map.set_cell(cell, value);
        self.contact = physics::resolve_contacts(&self.map, &mut self.ball, &mut self.scratch);
        if self.contact.touching
            && self.map.wall_distance(self.ball.pos, 1.0) < physics::BALL_RADIUS - 1e-9
        {
            // Still overlapping after the push-out (a closing cell can leave the ball between two
            // walls): move it to the nearest free cell's centre.
            let p = self.ball.pos;
            if let Some(best) = self.map.free_cells().into_iter().min_by(|a, b| {
                let da = self.map.cell_to_xy(*a).dist(p);
                let db = self.map.cell_to_xy(*b).dist(p);
                da.total_cmp(&db)
            }) {
                self.ball = BallState {
                    pos: self.map.cell_to_xy(best),
                    vel: Vec2::ZERO,
                };
            }
            self.contact = physics::resolve_contacts(&self.map, &mut self.ball, &mut self.scratch);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_env() -> MazeEnv {
        MazeEnv::new(
            MazeMap::builtin("open").expect("builtin"),
            EnvConfig::default(),
        )
        .expect("env")
    }

    #[test]
    fn reset_to_starts_from_the_exact_state() {
        let mut env = open_env();
        env.reset(7);
        let ball = BallState {
            pos: Vec2::new(0.123456789, -0.987654321),
            vel: Vec2::new(4.5, -3.25),
        };
        let goal = Vec2::new(2.0, 1.0);
        let (obs, info) = env.reset_to(ball, goal).expect("a free state");
        assert_eq!(
            (obs.position, obs.velocity, obs.goal),
            (ball.pos, ball.vel, Some(goal))
        );
        assert_eq!(info.steps, 0);
        assert!(!obs.contact);
        // The next step is exactly one physics step from that state.
        let mut expect = ball;
        physics::step(
            env.map(),
            Dynamics::PointMaze,
            1.0,
            &mut expect,
            Vec2::new(1.0, 0.0),
            &mut Vec::new(),
        );
        let s = env.step(Vec2::new(1.0, 0.0));
        assert_eq!((s.obs.position, s.obs.velocity), (expect.pos, expect.vel));
        // restart goes back to the given position, at rest.
        let (back, _) = env.restart();
        assert_eq!((back.position, back.velocity), (ball.pos, Vec2::ZERO));
    }

    #[test]
    fn reset_to_keeps_the_velocity_of_a_ball_touching_a_wall() {
        let mut env = open_env();
        let wall_x = env.map().cell_box(2, 0).max.x;
        let ball = BallState {
            pos: Vec2::new(wall_x + physics::BALL_RADIUS, 0.2),
            vel: Vec2::new(-3.0, 1.0),
        };
        let (obs, _) = env.reset_to(ball, Vec2::ZERO).expect("touching is allowed");
        assert!(obs.contact);
        assert_eq!(obs.contact_normal, Vec2::new(1.0, 0.0));
        assert_eq!(obs.velocity, ball.vel);
    }

    #[test]
    fn reset_to_refuses_states_in_walls_or_not_finite() {
        let mut env = open_env();
        let wall_x = env.map().cell_box(2, 0).max.x;
        for (pos, vel) in [
            (Vec2::new(wall_x + 0.05, 0.0), Vec2::ZERO),
            (Vec2::new(0.0, 0.0), Vec2::new(Real::NAN, 0.0)),
            (Vec2::new(Real::INFINITY, 0.0), Vec2::ZERO),
        ] {
            let e = env.reset_to(BallState { pos, vel }, Vec2::ZERO);
            assert!(
                matches!(e, Err(WorldError::BadState { .. })),
                "{pos:?} {vel:?}: {e:?}"
            );
        }
    }
}
