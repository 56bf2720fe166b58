//! Continuous 2-D maze worlds for SNS and its baselines.
//!
//! - [`maze`]: maps in the PointMaze text encoding and the built-in layouts (`u`, `open`, `medium`,
//!   `large` from Gymnasium-Robotics, `giant` from OGBench).
//! - [`physics`]: PointMaze's damped point mass as MuJoCo integrates it (or a kinematic option), with
//!   frictionless sliding contact.
//! - [`mod@env`]: the world with a Gymnasium-like `reset` / `step` interface and the sensing model.
//! - [`oracle`]: the exact shortest path length `L*` on the known map.
//! - [`generate`]: seeded mazes SNS was never tuned on (perfect, braided, rooms with one-cell doors,
//!   bug traps, zig-zags, pillars, spirals, walled-off goals), named by specs like `perfect:41x41:3`.
//!
//! Worlds know nothing of agents.
//!
//! ```
//! use sns_worlds::{env::{EnvConfig, MazeEnv}, maze::MazeMap, math::Vec2};
//! let mut env = MazeEnv::new(MazeMap::builtin("u").unwrap(), EnvConfig::default()).unwrap();
//! let (obs, _info) = env.reset(0);
//! let step = env.step(Vec2::new(1.0, 0.0));
//! assert!(step.obs.position.x >= obs.position.x);
//! ```
#![deny(missing_docs)]

pub mod env;
pub mod error;
pub mod generate;
pub mod math;
pub mod maze;
pub mod oracle;
pub mod physics;

pub use env::{EnvConfig, MazeEnv, Observation, GOAL_RADIUS};
pub use error::WorldError;
pub use math::{Real, Vec2};
pub use maze::MazeMap;
