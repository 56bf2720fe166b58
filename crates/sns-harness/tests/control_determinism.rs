//! The control agent reproduces its runs bit for bit: SHA-256 of every state of fixed runs on
//! each classic-control world (default parameters, symbolic substrate). The hash below is the
//! same at 2287cb8, before the agent was made generic over its domain.
//!
//! The hash changes whenever the control domain, its defaults or a world's dynamics change.
//! After such an intended change, regenerate it with
//! `cargo test --release -p sns-harness --test control_determinism -- --nocapture`
//! and paste the hash the failure prints here.

use sha2::{Digest, Sha256};
use sns_control::{Acrobot, CartPoleSwingUp, ControlWorld, MountainCar, Pendulum};
use sns_core::system::{SystemDomain, SystemParams};
use sns_core::Sns;
use sns_spaces::Agent;

const FIXED_CONTROL_HASH: &str = "eb28b9efdc0a40a997337f3623a44e85e3923a0707b2711b5dc243e59fc2349f";

/// Runs `trials` trials of at most `budget` steps from the world's resets (seeded by `seed`)
/// and feeds every trial's steps, success and states into `h`.
fn run<const D: usize, W: ControlWorld<D, 1>>(
    mut world: W,
    seed: u64,
    trials: usize,
    budget: u64,
    h: &mut Sha256,
) -> Vec<bool> {
    let task = world.task(false);
    let mut agent = SystemDomain::new(task, SystemParams::default(), seed)
        .map(Sns::new)
        .expect("valid task");
    let mut solved = Vec::new();
    for t in 0..trials {
        let (_, info) = world.reset(if t == 0 { Some(seed) } else { None });
        let mut obs = world.sense(&info);
        agent.begin_trial(&obs);
        let mut steps = 0u64;
        while steps < budget && !obs.success {
            let s = world.step_point(&agent.act(&obs));
            obs = world.sense(&s.info);
            for x in &s.info.state {
                h.update(x.to_bits().to_le_bytes());
            }
            steps += 1;
        }
        agent.end_trial(obs.success);
        h.update(steps.to_le_bytes());
        h.update([u8::from(obs.success)]);
        solved.push(obs.success);
    }
    solved
}

#[test]
fn determinism_hash_of_fixed_control_runs() {
    let all = || {
        let mut h = Sha256::new();
        let solved = [
            run(MountainCar::default(), 0, 3, 5_000, &mut h),
            run(Pendulum::default(), 1, 3, 5_000, &mut h),
            run(Acrobot::default(), 2, 2, 5_000, &mut h),
            run(CartPoleSwingUp::default(), 3, 1, 20_000, &mut h),
        ];
        let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        (solved, hex)
    };
    let (solved, h) = all();
    assert!(
        solved.iter().flatten().all(|&s| s),
        "every trial solved: {solved:?}"
    );
    assert_eq!(h, all().1, "two identical runs differ");
    assert_eq!(
        h, FIXED_CONTROL_HASH,
        "the fixed control runs changed. If the control domain, its defaults or a world's \
         dynamics changed on purpose, set FIXED_CONTROL_HASH in \
         crates/sns-harness/tests/control_determinism.rs to the new value {h}; otherwise a run \
         is no longer reproducible."
    );
}
