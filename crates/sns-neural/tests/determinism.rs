//! The neural substrate is deterministic: the same seed gives the same run, step for step.
//!
//! The symbolic substrate's fixed run is hashed against a committed value (crate `sns-harness`);
//! the neural substrate's code calls the platform's `sin`, `cos` and `exp` far more often, so a
//! committed hash would pin one math library's last bits. What must hold everywhere is that two
//! runs of the same seed in one process agree exactly.

use sns_core::{Agent, MazeDomain, MazeParams, Sns};
use sns_neural::Neural;
use sns_worlds::env::TaskSpec;
use sns_worlds::{EnvConfig, MazeEnv, MazeMap};

/// Positions, bit for bit, of a 2-trial run of OGBench's task 1 on `medium` from seed `seed`.
fn trajectory(seed: u64) -> Vec<(u64, u64)> {
    let map = MazeMap::builtin("medium").expect("built-in maze");
    let config = EnvConfig {
        task: TaskSpec {
            task: Some(1),
            ..TaskSpec::default()
        },
        ..EnvConfig::default()
    };
    let mut env = MazeEnv::new(map, config).expect("valid config");
    let params = MazeParams::default().check().expect("valid defaults");
    let mut agent = Sns::new(MazeDomain::new(
        params,
        Neural::with_dims(96).expect("valid dims"),
    ));
    let mut out = Vec::new();
    for _ in 0..2 {
        let (mut obs, _) = env.reset(seed);
        agent.begin_trial(&obs);
        let mut success = false;
        for _ in 0..20_000 {
            let s = env.step(agent.act(&obs));
            obs = s.obs;
            out.push((obs.position.x.to_bits(), obs.position.y.to_bits()));
            if s.info.is_success {
                success = true;
                break;
            }
        }
        agent.end_trial(success);
        assert!(success, "seed {seed}: a trial on medium failed");
    }
    out
}

#[test]
fn neural_runs_of_one_seed_are_identical() {
    for seed in [0, 7] {
        let a = trajectory(seed);
        assert!(a.len() > 50, "a run too short to test anything");
        assert_eq!(
            a,
            trajectory(seed),
            "seed {seed}: two identical runs differ"
        );
    }
    assert_ne!(trajectory(0), trajectory(7), "the seed is ignored");
}
