//! What the control-world developer examples share: the agent's parameters from the command line.
use sns_control::ControlWorld;
use sns_core::system::{SystemDomain, SystemParams, SystemSns};
use sns_core::Sns;
use sns_spaces::{Agent, Point};

/// The default parameters with `--set NAME=VALUE` overrides from the command line (`VALUE` in
/// JSON: a number, `true` or `false`).
pub fn params() -> SystemParams {
    let args: Vec<String> = std::env::args().collect();
    let mut v = serde_json::to_value(SystemParams::default()).expect("serialisable");
    for w in args.windows(2) {
        if w[0] == "--set" {
            let (name, value) = w[1].split_once('=').expect("--set NAME=VALUE");
            let value: serde_json::Value = serde_json::from_str(value).expect("a JSON value");
            v[name] = value;
        }
    }
    serde_json::from_value(v).expect("valid parameters")
}

/// The symbolic agent (parameters `params`) lives three trials of `world` (the first reset drawn
/// from `seed`, at most `budget` steps each). `step(trial, state, level, action, next)` sees every
/// step (trials numbered from 0, `level` the index of the level taken, `action` its value). Returns the agent as it was at
/// the third trial's start and the third trial's last state.
#[allow(dead_code)] // used by model_error and global_model, not control_trials
pub fn three_trials<const D: usize, W: ControlWorld<D, 1>>(
    world: &mut W,
    params: SystemParams,
    seed: u64,
    budget: usize,
    mut step: impl FnMut(usize, &Point<D>, usize, &Point<1>, &Point<D>),
) -> (SystemSns<D, 1>, Point<D>) {
    let mut agent = SystemDomain::new(world.task(false), params, seed)
        .map(Sns::new)
        .expect("valid task");
    let mut model = None;
    let mut last = [0.0; D];
    for t in 0..3 {
        if t == 2 {
            model = Some(agent.clone());
        }
        let (_, info) = world.reset(if t == 0 { Some(seed) } else { None });
        let mut obs = world.sense(&info);
        agent.begin_trial(&obs);
        let mut steps = 0;
        while steps < budget && !obs.success {
            let a = agent.act(&obs);
            let level = agent
                .domain()
                .primitives()
                .levels()
                .iter()
                .position(|(l, _)| l[0] == a[0])
                .expect("a level");
            let before = obs.state;
            let s = world.step_point(&a);
            obs = world.sense(&s.info);
            step(t, &before, level, &a, &obs.state);
            steps += 1;
        }
        agent.end_trial(obs.success);
        last = obs.state;
    }
    (model.expect("kept"), last)
}
