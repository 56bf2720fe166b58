//! What the developer examples share: parameters from `SNS_PARAMS`, worlds from `name[:task]`,
//! and one trial of the agent.
use sns_core::{MazeAgent, MazeParams, ValidMazeParams};
use sns_worlds::env::TaskSpec;
use sns_worlds::{EnvConfig, MazeEnv, MazeMap, Observation, Real};

/// The default parameters with the overrides of `SNS_PARAMS=name=value,...`, checked.
pub fn params_from_env() -> ValidMazeParams {
    let mut params = MazeParams::default();
    if let Ok(ps) = std::env::var("SNS_PARAMS") {
        for kv in ps.split(',').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').expect("name=value");
            params.set(k, v).expect("valid parameter");
        }
    }
    params
        .check()
        .expect("SNS_PARAMS obey the rules of MazeParams::check")
}

/// The world `spec` (a built-in name, or `name:task` for an OGBench task), reset with `seed`, with
/// a step budget of 100000 per trial.
pub fn world(spec: &str, seed: u64) -> MazeEnv {
    // A generated world's spec (`perfect:41x41:0`) is a world of its own, not `name:task`.
    let generated = sns_worlds::generate::from_spec(spec).is_some();
    let (name, task) = match spec.split_once(':') {
        Some((n, t)) if !generated => (n, Some(t.parse::<u32>().expect("task number"))),
        _ => (spec, None),
    };
    let cfg = EnvConfig {
        task: TaskSpec {
            task,
            ..Default::default()
        },
        max_steps: std::env::var("MAX_STEPS").map_or(100_000, |v| v.parse().expect("MAX_STEPS")),
        // Search mode (the goal's position is not sensed) with `HIDE_GOAL=1`.
        hide_goal: std::env::var("HIDE_GOAL").is_ok_and(|v| v == "1"),
        ..Default::default()
    };
    let mut env = MazeEnv::new(MazeMap::load(name).expect("maze"), cfg).expect("env");
    env.reset(seed);
    env
}

/// Runs one trial of `agent` from the start; `each` sees every observation after the first.
/// Returns the path length and whether the goal was reached.
pub fn trial(
    env: &mut MazeEnv,
    agent: &mut dyn MazeAgent,
    mut each: impl FnMut(&Observation),
) -> (Real, bool) {
    let (mut obs, _) = env.restart();
    agent.begin_trial(&obs);
    let mut path = 0.0;
    let mut ok = obs.success;
    while !ok {
        let prev = obs.position;
        let s = env.step(agent.act(&obs));
        obs = s.obs;
        path += prev.dist(obs.position);
        each(&obs);
        ok = s.terminated;
        if s.truncated {
            break;
        }
    }
    agent.end_trial(ok);
    (path, ok)
}
