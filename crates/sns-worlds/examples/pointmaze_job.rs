//! Runs our PointMaze physics on jobs read from stdin, for the MuJoCo cross-check
//! (`tests/mujoco/`), so the check drives this crate's own code rather than a Python copy of it.
//!
//! Input: JSON Lines, one job per line:
//! `{"map": ["11111", "10001", ...] | "maze": "large", "pos": [x, y], "vel": [vx, vy],
//!   "goal": [gx, gy] (optional), "actions": [[ax, ay], ...], "dynamics": "pointmaze" (optional)}`.
//! The ball starts at exactly `pos`, `vel` ([`MazeEnv::reset_to`]) and takes the actions in order.
//! Output: one JSON line per job, the state after each action:
//! `{"pos": [[x, y], ...], "vel": [[vx, vy], ...], "contact": [bool, ...], "normal": [[nx, ny], ...]}`.
//! Floats are printed so that they read back to the same bits.
//!
//! `cargo run --release -p sns-worlds --example pointmaze_job < jobs.jsonl`
//!
//! A malformed job or an unusable state is a one-line error naming the input line, exit 2.

#[path = "../../../tests/jsonl_job.rs"]
mod jsonl_job;
use serde::{Deserialize, Serialize};
use sns_worlds::env::{EnvConfig, MazeEnv};
use sns_worlds::math::Vec2;
use sns_worlds::maze::MazeMap;
use sns_worlds::physics::{BallState, Dynamics};
use std::process::ExitCode;

/// One job: a maze, an exact initial state and the actions to take.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Job {
    /// The map's rows in the PointMaze encoding.
    map: Option<Vec<String>>,
    /// A built-in maze name or a map file (when `map` is absent).
    maze: Option<String>,
    pos: [f64; 2],
    vel: [f64; 2],
    goal: Option<[f64; 2]>,
    actions: Vec<[f64; 2]>,
    dynamics: Option<Dynamics>,
}

/// The states after each action.
#[derive(Serialize, Default)]
struct Trajectory {
    pos: Vec<[f64; 2]>,
    vel: Vec<[f64; 2]>,
    contact: Vec<bool>,
    normal: Vec<[f64; 2]>,
}

fn run(job: Job) -> Result<Trajectory, String> {
    let map = match (job.map, job.maze) {
        (Some(rows), None) => MazeMap::parse("map", &rows.join("\n")),
        (None, Some(name)) => MazeMap::load(&name),
        _ => return Err("give exactly one of \"map\" and \"maze\"".into()),
    }
    .map_err(|e| e.to_string())?;
    let config = EnvConfig {
        dynamics: job.dynamics.unwrap_or_default(),
        max_steps: u64::MAX,
        ..EnvConfig::default()
    };
    let mut env = MazeEnv::new(map, config).map_err(|e| e.to_string())?;
    let v = |a: [f64; 2]| Vec2::new(a[0], a[1]);
    let ball = BallState {
        pos: v(job.pos),
        vel: v(job.vel),
    };
    env.reset_to(ball, job.goal.map_or(ball.pos, v))
        .map_err(|e| e.to_string())?;
    let mut t = Trajectory::default();
    for a in job.actions {
        let obs = env.step(v(a)).obs;
        t.pos.push(obs.position.to_array());
        t.vel.push(obs.velocity.to_array());
        t.contact.push(obs.contact);
        t.normal.push(obs.contact_normal.to_array());
    }
    Ok(t)
}

fn main() -> ExitCode {
    jsonl_job::serve("pointmaze_job", run)
}
