//! End-to-end: the control agent on its neural substrate solves the classic-control worlds.

use sns_control::{ControlWorld, MountainCar, Pendulum};
use sns_core::system::{Geometry, SystemDomain, SystemParams, SystemSns, SystemSubstrate};
use sns_core::Sns;
use sns_neural::{NeuralSystem, StateCodeParams};
use sns_spaces::Agent;

type Life<const D: usize> = (Vec<(u64, bool)>, SystemSns<D, 1, NeuralSystem<D>>);

/// Runs `trials` trials of one life on the neural substrate: the steps of each and whether it
/// succeeded.
fn life<const D: usize, W: ControlWorld<D, 1>>(
    mut world: W,
    seed: u64,
    trials: usize,
    budget: u64,
) -> Life<D> {
    let task = world.task(false);
    let params = SystemParams::default();
    let geometry = Geometry::new(task.space, params.cell);
    let code = StateCodeParams::for_geometry(&geometry, None, seed).expect("derived layout");
    let mem = NeuralSystem::new(geometry, params.kernel_radius, code);
    let mut agent = SystemDomain::with_substrate(task, params, seed, mem)
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

/// Mountaincar, seeds 0 to 2: the first trial within issue 12's 1000 steps, the third near
/// the valley's shortest route (about 65 steps), on outcomes predicted through the code.
#[test]
fn neural_substrate_solves_mountaincar() {
    for seed in 0..3 {
        let (trials, agent) = life(MountainCar::default(), seed, 3, 3000);
        assert!(trials.iter().all(|t| t.1), "seed {seed}: {trials:?}");
        assert!(trials[0].0 <= 1000, "seed {seed}: {trials:?}");
        assert!(trials[2].0 <= 80, "seed {seed}: {trials:?}");
        let mem = agent.domain().substrate();
        assert!(
            mem.units() > 0 && mem.memory_bytes() < 64 << 20,
            "bounded memory"
        );
    }
}

/// The pendulum (an angle axis: the code wraps): swung up and held within 3000 steps.
#[test]
fn neural_substrate_swings_the_pendulum_up() {
    let (trials, _) = life(Pendulum::default(), 0, 1, 3000);
    assert!(trials[0].1, "{trials:?}");
}

/// The same seed gives the same run; the code is drawn from the seed.
#[test]
fn same_seed_same_run() {
    let (a, x) = life(MountainCar::default(), 5, 2, 3000);
    let (b, y) = life(MountainCar::default(), 5, 2, 3000);
    assert_eq!(a, b);
    assert_eq!(x.domain().stats(), y.domain().stats());
    assert_eq!(
        x.domain().substrate().units(),
        y.domain().substrate().units()
    );
}
