//! Systematic Neural Search (SNS): the algorithm and its symbolic substrate.
//!
//! See `docs/METHOD.md` in the repository for the method, which parts come from the paper
//! (arXiv 2410.01349) and which are ours, and the completeness argument.
//!
//! ```
//! use sns_core::{Agent, MazeDomain, Sns, Symbolic, ValidMazeParams};
//! use sns_worlds::{EnvConfig, MazeEnv, MazeMap};
//! let mut env = MazeEnv::new(MazeMap::builtin("u").unwrap(), EnvConfig::default()).unwrap();
//! let (mut obs, _) = env.reset(0);
//! let mut agent = Sns::new(MazeDomain::new(ValidMazeParams::default(), Symbolic::new()));
//! agent.begin_trial(&obs);
//! for _ in 0..20_000 {
//!     let step = env.step(agent.act(&obs));
//!     obs = step.obs;
//!     if step.terminated { break; }
//! }
//! assert!(obs.success);
//! ```
#![deny(missing_docs)]

pub mod agent;
pub mod control;
pub mod failure;
pub mod familiar;
pub mod fxhash;
pub mod learning;
pub mod maze;
pub mod params;
pub mod plan;
pub mod sns;
pub mod spatial;
pub mod substrate;
pub mod symbolic;
pub mod system;
#[cfg(test)]
mod testutil;

pub use agent::{Agent, GraphSnapshot, MazeAgent};
pub use learning::{Habituation, Hebbian, Refinement};
pub use maze::{MazeDomain, MazeSns, MazeStats};
pub use params::{MazeParams, ParamError, ValidMazeParams};
pub use sns::{Domain, Outcome, Sns};
pub use substrate::{NodeId, PlanCosts, Substrate};
pub use symbolic::Symbolic;
