//! The experiment harness: runs of trials of one agent in one world, their metrics and their
//! machine-readable results.
//!
//! ```
//! use sns_harness::{run, AgentSpec, RunSpec};
//! let spec = RunSpec { maze: "u".into(), trials: 1, ..RunSpec::default() };
//! let result = run(&spec, &AgentSpec::default(), &mut |_| {}).unwrap();
//! assert!(result.trials[0].success);
//! ```
#![deny(missing_docs)]

pub mod agents;
pub mod bench;
pub mod control;
pub mod control_record;
pub mod output;
pub mod record;
pub mod runner;
pub mod scenario;
pub mod stats;

pub use agents::{
    make_agent, parse_agent, AgentContext, AgentError, AgentKind, AgentSpec, SubstrateKind, AGENTS,
    MAX_DIMS,
};
pub use control::{
    run_control, run_control_recorded, ControlRunResult, ControlRunSpec, ControlWorldKind,
};
pub use control_record::{ControlRecordSpec, ControlRecorder, ControlRecording};
pub use record::{RecordSpec, Recorder, Recording};
pub use runner::{
    check_run, run, run_recorded, run_scenario, run_scenario_recorded, ChangeEvent, RunError,
    RunResult, RunSpec, TrialResult,
};
pub use scenario::{AnyScenario, ControlScenario, Scenario};
