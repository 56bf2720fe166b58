//! Agents by name, as the command line and the benchmark choose them.

use sns_core::{Agent, Sns, SnsParams, Symbolic};

/// Which agent to build, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentSpec {
    /// Agent name: `sns` (more with the baselines).
    pub name: String,
    /// Substrate of SNS: `symbolic` (or `neural`).
    pub substrate: String,
    /// SNS parameters.
    pub params: SnsParams,
}

impl Default for AgentSpec {
    fn default() -> Self {
        AgentSpec {
            name: "sns".into(),
            substrate: "symbolic".into(),
            params: SnsParams::default(),
        }
    }
}

/// The names of the agents that can be built.
pub const AGENTS: &[&str] = &["sns"];

/// Builds the agent; an error message names what was wrong.
pub fn make_agent(spec: &AgentSpec) -> Result<Box<dyn Agent + Send>, String> {
    let params = spec.params.check().map_err(|e| e.to_string())?;
    match (spec.name.as_str(), spec.substrate.as_str()) {
        ("sns", "symbolic") => Ok(Box::new(Sns::new(params, Symbolic::new()))),
        ("sns", other) => Err(format!("unknown substrate '{other}' (expected symbolic)")),
        (other, _) => Err(format!(
            "unknown agent '{other}' (expected one of: {})",
            AGENTS.join(", ")
        )),
    }
}
