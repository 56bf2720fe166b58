//! Runs our classic-control worlds on jobs read from stdin, for the Gymnasium cross-check
//! (`tests/gymnasium/`), so the check drives this crate's own code rather than a Python copy.
//!
//! Input: JSON Lines, one job per line:
//! `{"world": "mountaincar" | "pendulum" | "acrobot" | "acrobot-continuous" | "cartpole-swingup",
//!   "state": [...], "params": {"NAME": value, ...} (optional), "actions": [a, ...]}`,
//! each action a number (the acrobot's: the index 0, 1 or 2). The world starts at exactly
//! `state` (`reset_to`) and takes the actions in order.
//! Output: one JSON line per job, after each action:
//! `{"state": [[...], ...], "obs": [[...], ...], "reward": [...], "terminated": [...]}`.
//! Floats are printed so that they read back to the same bits.
//!
//! `cargo run --release -p sns-control --example control_job < jobs.jsonl`
//!
//! A malformed job, an unknown world or parameter, or an unusable state is a one-line error
//! naming the input line, exit 2.

#[path = "../../../tests/jsonl_job.rs"]
mod jsonl_job;
use serde::{Deserialize, Serialize};
use sns_control::{
    Acrobot, AcrobotContinuous, CartPoleSwingUp, ControlInfo, MountainCar, Params, Pendulum, Torque,
};
use sns_spaces::{Env, Step};
use std::collections::BTreeMap;
use std::process::ExitCode;

/// One job: a world, an exact initial state, parameters and the actions to take.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Job {
    world: String,
    state: Vec<f64>,
    #[serde(default)]
    params: BTreeMap<String, f64>,
    actions: Vec<f64>,
}

/// What each action led to.
#[derive(Serialize, Default)]
struct Trajectory {
    state: Vec<Vec<f64>>,
    obs: Vec<Vec<f64>>,
    reward: Vec<f64>,
    terminated: Vec<bool>,
}

impl Trajectory {
    fn push<const N: usize, const D: usize>(&mut self, s: Step<[f64; N], ControlInfo<D>>) {
        self.state.push(s.info.state.to_vec());
        self.obs.push(s.obs.to_vec());
        self.reward.push(s.reward);
        self.terminated.push(s.terminated);
    }
}

fn state<const D: usize>(v: &[f64]) -> Result<[f64; D], String> {
    v.try_into()
        .map_err(|_| format!("\"state\" has {} values, the world has {D}", v.len()))
}

fn set_all<P: Params>(p: &mut P, params: &BTreeMap<String, f64>) -> Result<(), String> {
    for (k, v) in params {
        p.set(k, *v).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn run(job: Job) -> Result<Trajectory, String> {
    let mut t = Trajectory::default();
    let e = |e: sns_control::ControlError| e.to_string();
    match job.world.as_str() {
        "mountaincar" => {
            let mut w = MountainCar::default();
            set_all(w.params_mut(), &job.params)?;
            w.reset_to(state(&job.state)?).map_err(e)?;
            job.actions.iter().for_each(|a| t.push(w.step(&[*a])));
        }
        "pendulum" => {
            let mut w = Pendulum::default();
            set_all(w.params_mut(), &job.params)?;
            w.reset_to(state(&job.state)?).map_err(e)?;
            job.actions.iter().for_each(|a| t.push(w.step(&[*a])));
        }
        "acrobot" => {
            let mut w = Acrobot::default();
            set_all(w.params_mut(), &job.params)?;
            w.reset_to(state(&job.state)?).map_err(e)?;
            for a in &job.actions {
                let torque = Some(*a)
                    .filter(|a| a.fract() == 0.0 && *a >= 0.0)
                    .and_then(|a| Torque::from_index(a as usize))
                    .ok_or_else(|| format!("acrobot action {a} is not 0, 1 or 2"))?;
                t.push(w.step(&torque));
            }
        }
        "acrobot-continuous" => {
            let mut w = AcrobotContinuous::default();
            set_all(w.params_mut(), &job.params)?;
            w.reset_to(state(&job.state)?).map_err(e)?;
            job.actions.iter().for_each(|a| t.push(w.step(&[*a])));
        }
        "cartpole-swingup" => {
            let mut w = CartPoleSwingUp::default();
            set_all(w.params_mut(), &job.params)?;
            w.reset_to(state(&job.state)?).map_err(e)?;
            job.actions.iter().for_each(|a| t.push(w.step(&[*a])));
        }
        other => return Err(format!("unknown world {other:?}")),
    }
    Ok(t)
}

fn main() -> ExitCode {
    jsonl_job::serve("control_job", run)
}
