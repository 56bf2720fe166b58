//! SNS at scale: the graph grows only where the body has been, so a maze whose bounding box
//! needs more places than the node budget is still solved (regression: the level-0 lattice used
//! to be laid over the box spanning the visited region and the goal, and not at all when that box
//! exceeded `max_nodes`; every trial on generated perfect mazes of 35x35 cells and more failed).
//! Run in release (`cargo test --release -p sns-core --test scale`).
use sns_core::{Agent, MazeDomain, MazeParams, MazeSns, Sns, Substrate, Symbolic, ValidMazeParams};
use sns_worlds::generate::perfect;
use sns_worlds::{EnvConfig, MazeEnv, Observation};

/// Runs one trial from `obs` until success or the step budget; whether it succeeded.
fn run_trial(env: &mut MazeEnv, agent: &mut MazeSns<Symbolic>, mut obs: Observation) -> bool {
    agent.begin_trial(&obs);
    loop {
        let s = env.step(agent.act(&obs));
        obs = s.obs;
        if s.terminated {
            return true;
        }
        if s.truncated {
            return false;
        }
    }
}

#[test]
fn a_41x41_perfect_maze_is_solved_within_the_old_node_budget() {
    // The map is 83 m x 83 m: its box holds about 27 000 places of the 0.5 m lattice, more than
    // the 20 000 the old budget allowed.
    let params = MazeParams {
        max_nodes: 20_000,
        ..MazeParams::default()
    };
    let cfg = EnvConfig {
        max_steps: 400_000,
        ..EnvConfig::default()
    };
    let mut env = MazeEnv::new(perfect(41, 41, 0), cfg).unwrap();
    let (obs, _) = env.reset(0);
    let mut agent = Sns::new(MazeDomain::new(params.check().unwrap(), Symbolic::new()));
    let solved = run_trial(&mut env, &mut agent, obs);
    let nodes = agent.domain().substrate().node_count();
    assert!(
        solved,
        "not solved in {} steps ({nodes} nodes)",
        env.steps()
    );
    assert_eq!(agent.domain().stats().capped, 0, "the budget was reached");
    // Memory follows what was explored: well under the box's lattice.
    assert!(nodes < 20_000, "{nodes} nodes");
    // Planning repairs its previous search: a few dozen expansions per decision, not the graph.
    let per_plan =
        agent.domain().substrate().plan_expansions() as f64 / agent.domain().stats().plans as f64;
    assert!(per_plan < 100.0, "{per_plan} expansions per plan");
}

/// Search mode (the goal's position is not sensed, only success): SNS searches the frontier
/// places nearest first until success, remembers where success came, and plans to it in the next
/// trials (regression: without a sensed goal every agent stood still).
#[test]
fn search_mode_finds_the_hidden_goal_and_remembers_it() {
    let cfg = EnvConfig {
        hide_goal: true,
        max_steps: 100_000,
        ..EnvConfig::default()
    };
    let mut env = MazeEnv::new(sns_worlds::MazeMap::builtin("medium").unwrap(), cfg).unwrap();
    env.reset(1);
    let mut agent = Sns::new(MazeDomain::new(ValidMazeParams::default(), Symbolic::new()));
    let mut steps = Vec::new();
    for _ in 0..3 {
        let (obs, _) = env.restart();
        assert!(obs.goal.is_none(), "the goal is hidden");
        let solved = run_trial(&mut env, &mut agent, obs);
        agent.end_trial(solved);
        assert!(solved, "trial {} not solved", steps.len() + 1);
        steps.push(env.steps());
    }
    // Later trials use the remembered goal: far fewer steps than the search.
    assert!(steps[2] * 4 < steps[0], "{steps:?}");
}
