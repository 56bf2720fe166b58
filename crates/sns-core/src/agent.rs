//! The interface every agent (SNS and the baselines) implements, and what it may report.

use serde::Serialize;
use sns_worlds::{Observation, Vec2};

/// An agent acting in a world through the sensing model only.
///
/// A run calls [`Agent::begin_trial`] at the start of every trial, then [`Agent::act`] once per
/// step, then [`Agent::end_trial`]. What the agent learned persists across trials.
pub trait Agent {
    /// Short name (`sns`, `bug2`, ...).
    fn name(&self) -> &str;
    /// A new trial starts with this first observation.
    fn begin_trial(&mut self, obs: &Observation);
    /// The action (in [-1, 1]^2) for this step.
    fn act(&mut self, obs: &Observation) -> Vec2;
    /// The trial ended (success or step budget).
    fn end_trial(&mut self, success: bool);
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
