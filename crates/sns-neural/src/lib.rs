//! The neural substrate of Systematic Neural Search (SNS).
//!
//! The SNS algorithm (`sns_core::Sns`) runs unchanged on this substrate: positions are
//! high-dimensional harmonic (grid-cell) codes ([`code`]), graph nodes are place units whose
//! activity is the code's similarity kernel ([`place`]), behaviours are Hebbian synapses between
//! place units, and plans come from activity spreading backward from the goal ([`graph`]).
//! [`selfmotion`] lets the agent run on its path-integrated code instead of sensed positions.
//! [`system`] is the substrate of the control agent (`sns_core::system::SystemSns`) on the
//! classic-control worlds: a harmonic code of the normalised state space, periodic on angles.
//! See `docs/NEURAL.md` for the equations and for which parts come from the paper.
//!
//! ```
//! use sns_core::{Agent, MazeDomain, Sns, ValidMazeParams};
//! use sns_neural::Neural;
//! use sns_worlds::{EnvConfig, MazeEnv, MazeMap};
//! let mut env = MazeEnv::new(MazeMap::builtin("u").unwrap(), EnvConfig::default()).unwrap();
//! let (mut obs, _) = env.reset(0);
//! let mut agent = Sns::new(MazeDomain::new(ValidMazeParams::default(), Neural::with_dims(192).unwrap()));
//! agent.begin_trial(&obs);
//! for _ in 0..20_000 {
//!     let step = env.step(agent.act(&obs));
//!     obs = step.obs;
//!     if step.terminated { break; }
//! }
//! assert!(obs.success);
//! ```
//!
//! Search mode (the goal's position is not sensed, only success) runs on this substrate too:
//!
//! ```
//! use sns_core::{Agent, MazeDomain, Sns, ValidMazeParams};
//! use sns_neural::Neural;
//! use sns_worlds::{EnvConfig, MazeEnv, MazeMap};
//! let cfg = EnvConfig { hide_goal: true, ..EnvConfig::default() };
//! let mut env = MazeEnv::new(MazeMap::builtin("u").unwrap(), cfg).unwrap();
//! let (mut obs, _) = env.reset(3);
//! assert!(obs.goal.is_none());
//! let mut agent = Sns::new(MazeDomain::new(ValidMazeParams::default(), Neural::with_dims(192).unwrap()));
//! agent.begin_trial(&obs);
//! for _ in 0..20_000 {
//!     let step = env.step(agent.act(&obs));
//!     obs = step.obs;
//!     if step.terminated { break; }
//! }
//! assert!(obs.success);
//! ```
#![deny(missing_docs)]
// Tests unwrap freely: a panic is the failure report there.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod code;
pub mod graph;
pub mod neural;
pub mod place;
pub mod selfmotion;
pub mod system;

pub use code::{CodeParams, HarmonicCode, PathIntegrator, DEFAULT_DIMS, REACH_MARGIN};
pub use neural::{Neural, NeuralParams};
pub use selfmotion::{MotionSignal, SelfMotion};
pub use system::{NeuralSystem, StateCode, StateCodeParams};

use thiserror::Error;

/// What can be wrong with the neural substrate's parameters.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum NeuralError {
    /// The dimension does not split into modules of hexagonal triples.
    #[error("--dims {dims}: must be a positive multiple of 3 x {rotations} (rotations per module) with at least 2 modules")]
    Dims {
        /// Requested dimension.
        dims: usize,
        /// Hexagonal triples per module.
        rotations: usize,
    },
    /// The wavelengths are not finite, positive and increasing.
    #[error("wavelengths must satisfy 0 < lambda_min ({lambda_min}) < lambda_max ({lambda_max})")]
    Scales {
        /// Finest wavelength.
        lambda_min: f64,
        /// Coarsest wavelength.
        lambda_max: f64,
    },
    /// The world's reach (distance from the origin) is not a finite, non-negative number.
    #[error("a world reaching {reach} m from the origin has no code layout")]
    Reach {
        /// The reach, in metres.
        reach: f64,
    },
    /// A dimension of the control agent's state-space code that does not split into modules
    /// (`system::StateCodeParams::for_geometry`).
    #[error("--dims {dims}: the state-space code needs a positive multiple of {per_module} (6 phasors per state dimension and module) with at least 2 modules; leave --dims out for the derived {derived}")]
    StateDims {
        /// The dimension asked for.
        dims: usize,
        /// Phasors per module (6 per state dimension).
        per_module: usize,
        /// The dimension derived from the task.
        derived: usize,
    },
    /// An explicit dimension is too small for the world: the stretched range would need a
    /// coarser scale ratio than the default's (see `CodeParams::for_reach`).
    #[error("--dims {dims} is too small for a world reaching {reach:.0} m from its centre: at least {min} (or leave --dims out to derive it)")]
    TooFewDims {
        /// The dimension asked for.
        dims: usize,
        /// The fewest dims for this world.
        min: usize,
        /// How far the world reaches from the origin, in metres.
        reach: f64,
    },
}
