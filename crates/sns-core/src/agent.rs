//! The interface every maze agent (SNS and the baselines) implements, and what it may report.
//!
//! There is one agent trait in the project, [`sns_spaces::Agent`], generic over what the agent
//! senses and what it does (`Agent<Observation, Vec2>` in a maze, `Agent<Sensed<D>, Point<A>>`
//! on a control task). [`MazeAgent`] adds only what a maze run reports about the agent.

use serde::Serialize;
pub use sns_spaces::Agent;
use sns_worlds::{Observation, Vec2};

/// An agent acting in a maze through the sensing model only (positions, velocity, contact,
/// goal and success in an [`Observation`]; an action in [-1, 1]^2): the generic [`Agent`], and
/// what a maze run reports about it.
///
/// A run calls [`Agent::begin_trial`] at the start of every trial, then [`Agent::act`] once per
/// step, then [`Agent::end_trial`]. What the agent learned persists across trials.
pub trait MazeAgent: Agent<Observation, Vec2> {
    /// The agent's internal graph, when it has one (for results and plots).
    fn snapshot(&self) -> Option<GraphSnapshot> {
        None
    }
    /// Substrate name for results ("symbolic", "neural", or "none" for baselines).
    fn substrate(&self) -> &str {
        "none"
    }
}

/// A copy of a cognitive graph for reporting.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GraphSnapshot {
    /// Node anchor positions.
    pub nodes: Vec<Vec2>,
    /// Directed edges `(from, to, effectiveness)` by index into `nodes`.
    pub edges: Vec<(usize, usize, f64)>,
    /// Where executions failed.
    pub failures: Vec<Vec2>,
}
