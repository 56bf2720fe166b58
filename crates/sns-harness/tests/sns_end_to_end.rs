//! End-to-end tests of SNS through the harness: built-in and generated mazes are solved, a walled-off
//! goal ends at the step budget, runs are deterministic (with a committed hash of a fixed run), and
//! the agent's only input is the observation (it never reads the map).

use sha2::{Digest, Sha256};
use sns_core::{MazeAgent, MazeDomain, MazeParams, Sns, Symbolic, ValidMazeParams};
use sns_harness::{run, AgentSpec, RunResult, RunSpec};
use sns_neural::Neural;
use sns_worlds::env::TaskSpec;
use sns_worlds::maze::{MazeMap, BUILTIN};
use sns_worlds::physics::Dynamics;
use sns_worlds::{generate, EnvConfig, MazeEnv, Observation, Vec2};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

fn sns() -> AgentSpec {
    AgentSpec::default()
}

fn spec(maze: &str, seed: u64, trials: u32, max_steps: u64) -> RunSpec {
    RunSpec {
        maze: maze.into(),
        seed,
        trials,
        dynamics: Dynamics::PointMaze,
        max_steps,
        task: TaskSpec::default(),
        record_every: 0,
        hide_goal: false,
    }
}

fn run_ok(s: &RunSpec, agent: &AgentSpec) -> RunResult {
    run(s, agent, &mut |_| {}).unwrap_or_else(|e| panic!("run {s:?}: {e}"))
}

/// A map file under the temp folder, removed when dropped.
struct TempMap(PathBuf);

impl TempMap {
    fn new(map: &MazeMap) -> TempMap {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!(
            "sns-e2e-{}-{}-{n}.txt",
            std::process::id(),
            map.name
        ));
        std::fs::write(&p, map.to_text()).expect("write temp map");
        TempMap(p)
    }
    fn path(&self) -> String {
        self.0.to_str().expect("utf-8 temp path").to_string()
    }
}

impl Drop for TempMap {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn assert_solved(r: &RunResult, what: &str) {
    assert!(r.shortest_path.is_some(), "{what}: oracle says unreachable");
    for t in &r.trials {
        assert!(
            t.success,
            "{what}: trial {} failed after {} steps",
            t.trial, t.steps
        );
    }
    assert!(
        r.trials[0].steps <= 50_000,
        "{what}: first trial took {} steps (> 50000)",
        r.trials[0].steps
    );
}

#[test]
fn sns_solves_every_builtin_maze_seeds_0_to_3() {
    for (name, _, _) in BUILTIN {
        for seed in 0..4 {
            let r = run_ok(&spec(name, seed, 3, 100_000), &sns());
            assert_eq!(r.substrate, "symbolic");
            assert_eq!(r.trials.len(), 3);
            assert_solved(&r, &format!("{name} seed {seed}"));
        }
    }
}

#[test]
fn sns_solves_generated_mazes_from_files() {
    let mazes = [
        generate::spiral(2),
        generate::spiral(3),
        generate::dead_ends(5, 4),
        generate::rooms(2, 3),
        generate::rooms(3, 3),
        generate::perfect(6, 5, 1),
        generate::perfect(8, 8, 7),
    ];
    for m in &mazes {
        let file = TempMap::new(m);
        let r = run_ok(&spec(&file.path(), 0, 3, 100_000), &sns());
        assert_eq!(r.maze, file.path());
        assert_solved(&r, &m.name);
    }
}

#[test]
fn walled_off_goal_ends_at_the_step_budget() {
    let file = TempMap::new(&generate::walled_off());
    let budget = 20_000;
    let r = run_ok(&spec(&file.path(), 0, 2, budget), &sns());
    assert_eq!(r.shortest_path, None);
    for t in &r.trials {
        assert!(!t.success, "trial {} reached a walled-off goal", t.trial);
        assert_eq!(t.steps, budget, "trial {}", t.trial);
        assert!(t.path_length.is_finite());
    }
    let max_nodes = MazeParams::default().max_nodes;
    assert!(
        r.graph.nodes < max_nodes,
        "graph grew to {} nodes (max_nodes {max_nodes})",
        r.graph.nodes
    );
    assert!(r.graph.nodes > 0);
}

#[test]
fn same_seed_same_run() {
    for (maze, seed, dynamics) in [
        ("medium", 1, Dynamics::PointMaze),
        ("large", 2, Dynamics::Kinematic),
    ] {
        let s = RunSpec {
            dynamics,
            ..spec(maze, seed, 2, 100_000)
        };
        let a = run_ok(&s, &sns());
        let b = run_ok(&s, &sns());
        assert_eq!(a.start, b.start);
        assert_eq!(a.goal, b.goal);
        assert_eq!(a.graph, b.graph, "{maze} seed {seed}");
        for (x, y) in a.trials.iter().zip(&b.trials) {
            assert_eq!(x.steps, y.steps, "{maze} seed {seed} trial {}", x.trial);
            assert_eq!(x.success, y.success);
            assert_eq!(
                x.path_length.to_bits(),
                y.path_length.to_bits(),
                "{maze} seed {seed} trial {}",
                x.trial
            );
        }
    }
}

/// SHA-256 of every recorded position (f64 bits, little-endian) of `large`, seed 3, 3 trials,
/// pointmaze dynamics, recorded every step.
///
/// It changes whenever the algorithm, its defaults or the physics change. After such an intended
/// change, regenerate it with
/// `cargo test --release -p sns-harness --test sns_end_to_end determinism_hash_of_fixed_run -- --nocapture`
/// and paste the hash the failure prints here.
const FIXED_RUN_HASH: &str = "dd52cba942e18cab4a2500bb274f3091cb09d5ccc13d8129f2c2ae2b706f1876";

#[test]
fn determinism_hash_of_fixed_run() {
    let s = RunSpec {
        record_every: 1,
        ..spec("large", 3, 3, 100_000)
    };
    let hash = |r: &RunResult| {
        let mut h = Sha256::new();
        for t in &r.trials {
            h.update(t.trial.to_le_bytes());
            h.update(t.steps.to_le_bytes());
            for p in &t.trajectory {
                h.update(p.x.to_bits().to_le_bytes());
                h.update(p.y.to_bits().to_le_bytes());
            }
        }
        h.finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let r = run_ok(&s, &sns());
    for t in &r.trials {
        assert!(t.success, "trial {}", t.trial);
        // One position per step plus the final one.
        assert_eq!(t.trajectory.len() as u64, t.steps + 1);
    }
    let h = hash(&r);
    assert_eq!(h, hash(&run_ok(&s, &sns())), "two identical runs differ");
    assert_eq!(
        h, FIXED_RUN_HASH,
        "the fixed run (large, seed 3, 3 trials, pointmaze) changed. If the algorithm, its \
         defaults or the physics changed on purpose, set FIXED_RUN_HASH in \
         crates/sns-harness/tests/sns_end_to_end.rs to the new value {h}; otherwise a run is no \
         longer reproducible."
    );
}

/// What the agent was told and did, step by step, in a run of `trials` trials.
#[derive(Debug, Clone, PartialEq)]
enum Event {
    Begin(Observation),
    Act(Observation, Vec2),
    End(bool),
}

/// Runs `agent` on `maze` with the world, recording every call into the agent.
fn record(
    agent: &mut dyn MazeAgent,
    maze: &str,
    seed: u64,
    trials: u32,
    budget: u64,
) -> Vec<Event> {
    let map = MazeMap::load(maze).expect("maze");
    let config = EnvConfig {
        max_steps: budget,
        ..EnvConfig::default()
    };
    let mut env = MazeEnv::new(map, config).expect("env");
    env.reset(seed);
    let mut events = Vec::new();
    for _ in 0..trials {
        let (mut obs, _) = env.restart();
        agent.begin_trial(&obs);
        events.push(Event::Begin(obs));
        let mut success = obs.success;
        while !success && env.steps() < budget {
            let a = agent.act(&obs);
            events.push(Event::Act(obs, a));
            obs = env.step(a).obs;
            success = obs.success;
        }
        agent.end_trial(success);
        events.push(Event::End(success));
    }
    events
}

/// Feeds the recorded observations to `agent` (which has no world) and checks it acts the same.
fn replay(agent: &mut dyn MazeAgent, events: &[Event]) {
    let mut acts = 0;
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Begin(obs) => agent.begin_trial(obs),
            Event::Act(obs, a) => {
                let b = agent.act(obs);
                assert!(
                    a.x.to_bits() == b.x.to_bits() && a.y.to_bits() == b.y.to_bits(),
                    "event {i}: with the world the agent did {a:?}, from observations alone {b:?}"
                );
                acts += 1;
            }
            Event::End(s) => agent.end_trial(*s),
        }
    }
    assert!(
        acts > 100,
        "too short a run to show anything: {acts} actions"
    );
}

#[test]
fn agent_never_reads_the_map_symbolic() {
    for (maze, seed) in [("medium", 0), ("large", 1)] {
        let mut a = Sns::new(MazeDomain::new(ValidMazeParams::default(), Symbolic::new()));
        let events = record(&mut a, maze, seed, 2, 100_000);
        assert!(
            events.iter().any(|e| matches!(e, Event::End(true))),
            "{maze}"
        );
        let mut fresh = Sns::new(MazeDomain::new(ValidMazeParams::default(), Symbolic::new()));
        replay(&mut fresh, &events);
        assert_eq!(
            a.snapshot().map(|s| (s.nodes, s.edges)),
            fresh.snapshot().map(|s| (s.nodes, s.edges)),
            "{maze}: the graphs differ"
        );
    }
}

#[test]
fn agent_never_reads_the_map_neural() {
    let neural = || {
        Sns::new(MazeDomain::new(
            ValidMazeParams::default(),
            Neural::with_dims(96).expect("dims"),
        ))
    };
    let mut a = neural();
    let events = record(&mut a, "medium", 0, 2, 20_000);
    let mut fresh = neural();
    replay(&mut fresh, &events);
}

#[test]
fn neural_substrate_solves_u_through_the_harness() {
    let agent = AgentSpec {
        kind: sns_harness::AgentKind::Sns {
            substrate: sns_harness::SubstrateKind::Neural,
        },
        dims: Some(96),
        ..AgentSpec::default()
    };
    let r = run_ok(&spec("u", 1, 2, 50_000), &agent);
    assert_eq!(r.substrate, "neural");
    assert_solved(&r, "u neural");
}
