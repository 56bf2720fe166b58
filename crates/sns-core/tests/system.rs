//! End-to-end tests of the control agent (`sns_core::system`) on the classic-control worlds.

use sns_control::{ControlWorld, MountainCar, Params, Pendulum, PendulumParams};
use sns_core::system::{SystemDomain, SystemError, SystemParams, SystemSns};
use sns_core::Sns;
use sns_spaces::Agent;

/// Runs `trials` trials of one life; the steps of each and whether it succeeded.
fn life<const D: usize, W: ControlWorld<D, 1>>(
    world: W,
    seed: u64,
    trials: usize,
    budget: u64,
    hide_goal: bool,
) -> (Vec<(u64, bool)>, SystemSns<D, 1>) {
    life_with(
        SystemParams::default(),
        world,
        seed,
        trials,
        budget,
        hide_goal,
    )
}

/// [`life`] with parameters `params`.
fn life_with<const D: usize, W: ControlWorld<D, 1>>(
    params: SystemParams,
    mut world: W,
    seed: u64,
    trials: usize,
    budget: u64,
    hide_goal: bool,
) -> (Vec<(u64, bool)>, SystemSns<D, 1>) {
    let task = world.task(hide_goal);
    let mut agent = SystemDomain::new(task, params, seed)
        .map(Sns::new)
        .expect("valid");
    let mut out = Vec::new();
    for t in 0..trials {
        let (_, info) = world.reset(if t == 0 { Some(seed) } else { None });
        let mut obs = world.sense(&info);
        agent.begin_trial(&obs);
        let mut steps = 0;
        while steps < budget && !obs.success {
            let a = agent.act(&obs);
            let info = world.step_point(&a).info;
            obs = world.sense(&info);
            steps += 1;
        }
        agent.end_trial(obs.success);
        out.push((steps, obs.success));
    }
    (out, agent)
}

/// Mountaincar, seeds 0 to 3: the first trial within 1000 steps, the third within 1.2 times
/// the best first-trial route seen on these seeds (about 65 steps from the valley).
#[test]
fn mountaincar_is_solved_within_budget_and_then_fast() {
    for seed in 0..4 {
        let (trials, agent) = life(MountainCar::default(), seed, 3, 5000, false);
        assert!(trials.iter().all(|t| t.1), "seed {seed}: {trials:?}");
        assert!(trials[0].0 <= 1000, "seed {seed}: {trials:?}");
        assert!(trials[2].0 <= 80, "seed {seed}: {trials:?}");
        assert!(
            agent.domain().stats().places < 4096,
            "memory grows with what was explored"
        );
    }
}

/// The same seed gives the same steps (and the same graph).
#[test]
fn same_seed_same_run() {
    let (a, x) = life(MountainCar::default(), 7, 2, 5000, false);
    let (b, y) = life(MountainCar::default(), 7, 2, 5000, false);
    assert_eq!(a, b);
    assert_eq!(x.domain().stats(), y.domain().stats());
}

/// The harmonic readout held back until a trial is solved (`harmonic_after` 1): the first
/// trial takes the default agent's steps to the same outcome, and the readout then changes what
/// follows (used from the start, it changes the first trial too).
#[test]
fn the_readout_held_back_leaves_the_first_trial_alone() {
    let readout = |after| SystemParams {
        harmonic_order: 4,
        harmonic_trust: 4.0,
        harmonic_after: after,
        ..SystemParams::default()
    };
    let (plain, _) = life(Pendulum::default(), 0, 3, 5000, false);
    let (held, _) = life_with(readout(1), Pendulum::default(), 0, 3, 5000, false);
    let (early, _) = life_with(readout(0), Pendulum::default(), 0, 3, 5000, false);
    assert_eq!(held[0], plain[0]);
    assert_ne!(held, plain, "the readout is used once a trial is solved");
    assert_ne!(
        early[0], plain[0],
        "the readout from the start changes the first trial"
    );
}

/// With the goal hidden the agent still finds it (search mode), and then goes back to it.
#[test]
fn mountaincar_search_mode_finds_the_goal() {
    let (trials, _) = life(MountainCar::default(), 1, 2, 20_000, true);
    assert!(trials.iter().all(|t| t.1), "{trials:?}");
}

/// The pendulum without torque cannot be swung up: the agent acts until the budget, with
/// bounded memory (at most the cells of the normalised box).
#[test]
fn unsolvable_pendulum_ends_at_the_budget() {
    let mut p = PendulumParams::default();
    p.set("max_torque", 0.0).expect("in range");
    let world = Pendulum::new(p);
    let (trials, agent) = life(world, 0, 1, 3000, false);
    assert_eq!(trials, vec![(3000, false)]);
    assert!(agent.domain().stats().places <= 64 * 64);
}

#[test]
fn bad_parameters_are_refused() {
    let task = MountainCar::default().task(false);
    let p = SystemParams {
        cell: 0.0,
        ..SystemParams::default()
    };
    assert!(matches!(
        SystemDomain::new(task.clone(), p, 0).map(Sns::new),
        Err(SystemError::BadParam { name: "cell", .. })
    ));
    let p = SystemParams {
        beta: 1.0,
        ..SystemParams::default()
    };
    assert!(SystemDomain::new(task.clone(), p, 0).map(Sns::new).is_err());
    let mut t = task;
    t.hold_steps = 0;
    assert!(matches!(
        SystemDomain::new(t, SystemParams::default(), 0).map(Sns::new),
        Err(SystemError::BadTask(_))
    ));
}
