//! The neural substrate on generated mazes larger than PointMaze's, end to end through the harness
//! (the command line's path: the code's layout is derived from the maze). Release profile; kept to
//! one short trial per world.

use sns_harness::{run, AgentKind, AgentSpec, RunSpec, SubstrateKind};
use sns_worlds::env::TaskSpec;
use sns_worlds::physics::Dynamics;

fn neural() -> AgentSpec {
    AgentSpec::new(AgentKind::Sns {
        substrate: SubstrateKind::Neural,
    })
}

/// One trial of `maze` (a generated spec) with a budget of `max_steps`: (success, steps).
fn first_trial(maze: &str, max_steps: u64) -> (bool, u64) {
    let spec = RunSpec {
        maze: maze.into(),
        seed: 0,
        trials: 1,
        dynamics: Dynamics::PointMaze,
        max_steps,
        task: TaskSpec::default(),
        ..RunSpec::default()
    };
    let r = run(&spec, &neural(), &mut |_| {}).unwrap_or_else(|e| panic!("{maze}: {e}"));
    assert_eq!(r.substrate, "neural");
    assert!(
        r.shortest_path.is_some(),
        "{maze}: the oracle finds no path"
    );
    (r.trials[0].success, r.trials[0].steps)
}

/// A 41 x 41-cell perfect maze (58 m across, start and goal in far corners, L* = 143 m): refused
/// by the neural substrate before its layout followed the world; within the default range, so it
/// runs on the default 192-dim code.
#[test]
fn neural_substrate_solves_a_41_cell_perfect_maze() {
    let (success, steps) = first_trial("perfect:20x20:1", 60_000);
    assert!(success, "perfect:20x20:1: not solved in {steps} steps");
}

/// A 91 x 7-cell perfect maze, 91 m across: beyond the default code's range (unique within 50 m
/// of the centre), so the derived layout adds a 17th module (204 dims) and the run uses it.
#[test]
fn neural_substrate_solves_a_maze_beyond_the_default_range() {
    let (success, steps) = first_trial("perfect:45x3:1", 40_000);
    assert!(success, "perfect:45x3:1: not solved in {steps} steps");
}
