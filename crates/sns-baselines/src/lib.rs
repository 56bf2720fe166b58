//! The baselines SNS is measured against, with the same sensing (position, velocity, contact and
//! its normal, goal) and the same motor controller ([`sns_core::control::Controller`]):
//!
//! - [`random::RandomWalk`]: a seeded random walk at the same speed limit (the floor).
//! - [`bug2::Bug2`]: Bug2 (Lumelsky and Stepanov 1987), wall following by touch; complete.
//! - [`dstar::DStarLite`]: D* Lite (Koenig and Likhachev 2002) on an occupancy grid learned by touch,
//!   under the free-space assumption; complete on finite grids.
//! - [`oracle::Oracle`]: knows the map and follows the exact shortest path: the best achievable.
//!
//! One file per agent, readable top to bottom; [`path`] is the waypoint follower the oracle and
//! D* Lite share. Every agent is deterministic given its observations (and, for the random walk,
//! its seed).
//!
//! ```
//! use sns_baselines::bug2::Bug2;
//! use sns_core::{control::ControlParams, Agent};
//! use sns_worlds::{EnvConfig, MazeEnv, MazeMap};
//! let mut env = MazeEnv::new(MazeMap::builtin("u").unwrap(), EnvConfig::default()).unwrap();
//! let (mut obs, _) = env.reset(0);
//! let mut agent = Bug2::new(ControlParams::default());
//! agent.begin_trial(&obs);
//! for _ in 0..20_000 {
//!     let step = env.step(agent.act(&obs));
//!     obs = step.obs;
//!     if step.terminated { break; }
//! }
//! assert!(obs.success);
//! ```
#![deny(missing_docs)]

pub mod bug2;
pub mod dstar;
pub mod oracle;
pub mod path;
pub mod random;

pub use bug2::Bug2;
pub use dstar::{DStarError, DStarLite};
pub use oracle::{LiveMap, Oracle};
pub use random::RandomWalk;
