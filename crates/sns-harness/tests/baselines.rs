//! End-to-end tests of the baselines, the changing worlds and the benchmark through the harness.

use sns_harness::bench::{bench_to_dir, BenchAgent, BenchSpec, World, RUNS_COLUMNS};
use sns_harness::{run, run_scenario, AgentSpec, RunSpec, Scenario};
use sns_worlds::env::TaskSpec;
use sns_worlds::physics::{Dynamics, BALL_RADIUS};
use sns_worlds::MazeMap;

fn agent(name: &str) -> AgentSpec {
    AgentSpec::new(name.parse().expect("agent name"))
}

fn solves(name: &str, maze: &str, task: Option<u32>, seed: u64, dynamics: Dynamics, budget: u64) {
    let spec = RunSpec {
        maze: maze.into(),
        seed,
        trials: 2,
        dynamics,
        max_steps: budget,
        task: TaskSpec {
            task,
            ..TaskSpec::default()
        },
        ..RunSpec::default()
    };
    let r = run(&spec, &agent(name), &mut |_| {}).expect("run");
    assert_eq!(r.agent, name);
    for t in &r.trials {
        assert!(
            t.success,
            "{name} failed {maze} task {task:?} seed {seed} {dynamics:?} trial {}",
            t.trial
        );
    }
}

#[test]
fn planners_solve_small_mazes() {
    for name in ["bug2", "dstar", "oracle"] {
        for dynamics in [Dynamics::PointMaze] {
            for (maze, task, seed) in [
                ("u", None, 0),
                ("open", None, 1),
                ("medium", None, 2),
                ("medium", None, 5),
                ("medium", Some(1), 0),
                ("medium", Some(4), 0),
            ] {
                solves(name, maze, task, seed, dynamics, 30_000);
            }
        }
    }
}

#[test]
fn planners_solve_large_and_giant_tasks() {
    for name in ["bug2", "dstar", "oracle"] {
        for (maze, task) in [("large", 2), ("large", 4), ("giant", 3)] {
            solves(name, maze, Some(task), 0, Dynamics::PointMaze, 50_000);
        }
    }
}

/// Regression test: the shared controller once left samples at the speed clip out of its model
/// fit, so it never identified the kinematic dynamics and every agent oscillated at full speed.
#[test]
fn every_agent_solves_small_mazes_with_kinematic_dynamics() {
    for name in ["sns", "bug2", "dstar", "oracle", "random"] {
        for (maze, task, seed) in [("u", None, 0), ("open", None, 1), ("medium", Some(1), 0)] {
            solves(name, maze, task, seed, Dynamics::Kinematic, 100_000);
        }
    }
}

#[test]
fn random_walk_solves_tiny_mazes() {
    for dynamics in [Dynamics::PointMaze] {
        for (maze, seed) in [("u", 0), ("open", 1), ("medium", 2)] {
            solves("random", maze, None, seed, dynamics, 100_000);
        }
    }
}

#[test]
fn oracle_is_never_beaten_by_much_and_is_near_the_shortest_path() {
    let spec = RunSpec {
        maze: "large".into(),
        trials: 1,
        task: TaskSpec {
            task: Some(2),
            ..TaskSpec::default()
        },
        ..RunSpec::default()
    };
    let r = run(&spec, &agent("oracle"), &mut |_| {}).expect("run");
    let l = r.shortest_path.expect("reachable");
    let ratio = r.trials[0].path_length / l;
    // The goal counts as reached 0.45 m early, and the controller rounds corners a little wide.
    assert!(ratio > 0.9 && ratio < 1.1, "path / L* = {ratio}");
}

#[test]
fn bug2_and_dstar_are_deterministic() {
    for name in ["bug2", "dstar", "random"] {
        let spec = RunSpec {
            maze: "large".into(),
            seed: 7,
            trials: 2,
            ..RunSpec::default()
        };
        let a = run(&spec, &agent(name), &mut |_| {}).expect("run");
        let b = run(&spec, &agent(name), &mut |_| {}).expect("run");
        for (x, y) in a.trials.iter().zip(&b.trials) {
            assert_eq!(x.steps, y.steps, "{name}");
            assert_eq!(x.path_length.to_bits(), y.path_length.to_bits(), "{name}");
        }
    }
}

#[test]
fn scenario_change_happens_at_its_step_and_never_traps_the_ball() {
    let dir = std::env::temp_dir().join(format!("sns-scenario-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("door.toml");
    // Trial 1: the cell next to the start closes after 30 steps; trial 2: motor halved at step 10.
    std::fs::write(
        &file,
        "maze = \"open\"\nstart = [2, 1]\ngoal = [2, 5]\n\
         [[change]]\ntrial = 1\nstep = 30\nwall = [[2, 2], [1, 3]]\n\
         [[change]]\ntrial = 2\nstep = 10\nmotor_scale = 0.5\n",
    )
    .expect("write");
    let sc = Scenario::load(file.to_str().expect("utf8")).expect("valid");
    for name in ["bug2", "dstar", "oracle", "sns"] {
        let spec = RunSpec {
            maze: sc.maze.clone(),
            task: sc.task,
            trials: 2,
            record_every: 1,
            max_steps: 30_000,
            ..RunSpec::default()
        };
        let r = run_scenario(&spec, Some(&sc), &agent(name), &mut |_| {}).expect("run");
        let steps: Vec<(u32, u64)> = r.changes.iter().map(|c| (c.trial, c.step)).collect();
        assert_eq!(steps, vec![(1, 30), (2, 10)], "{name}");
        let mut map = MazeMap::load(&sc.maze).expect("map");
        map.set_cell((2, 2), sns_worlds::maze::Cell::Wall);
        map.set_cell((1, 3), sns_worlds::maze::Cell::Wall);
        // From step 30 of trial 1 on, the ball is never inside the new walls.
        for (k, t) in r.trials.iter().enumerate() {
            assert!(t.success, "{name} trial {}", t.trial);
            let from = if k == 0 { 29 } else { 0 };
            for p in &t.trajectory[from..] {
                assert!(map.wall_distance(*p, 1.0) >= BALL_RADIUS - 1e-9, "{name}");
            }
        }
        // Trial 2 is measured against the changed map.
        assert!(r.trials[1].shortest_path >= r.trials[0].shortest_path);
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bench_writes_one_csv_row_per_trial_with_the_documented_columns() {
    let dir = std::env::temp_dir().join(format!("sns-bench-{}", std::process::id()));
    let spec = BenchSpec {
        agents: ["oracle", "bug2", "dstar:0.5"]
            .iter()
            .map(|a| BenchAgent::parse(a).expect("agent"))
            .collect(),
        worlds: vec![
            World::parse_maze("u").expect("u"),
            World::parse_maze("medium:2").expect("medium:2"),
        ],
        seeds: 2,
        trials: 2,
        dynamics: Dynamics::PointMaze,
        max_steps: 20_000,
        hide_goal: false,
    };
    let (rows, summary) =
        bench_to_dir(&spec, &dir, "sns bench (test)".into(), "0", &|| {}).expect("bench");
    assert_eq!(rows.len(), 3 * 2 * 2 * 2);
    let text = std::fs::read_to_string(dir.join("runs.csv")).expect("csv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(RUNS_COLUMNS.join(",").as_str()));
    let body: Vec<&str> = lines.collect();
    assert_eq!(body.len(), rows.len());
    assert!(body
        .iter()
        .all(|l| l.split(',').count() == RUNS_COLUMNS.len()));
    assert!(body[0].starts_with("oracle,u,,0,1,true,"), "{}", body[0]);
    assert!(text.contains("dstar:0.5,medium:2,2,1,2,true,"));
    assert!(
        summary.contains("| bug2 | medium:2 | 2 | 100% |"),
        "{summary}"
    );
    let meta = std::fs::read_to_string(dir.join("run.toml")).expect("toml");
    assert!(meta.contains("command = \"sns bench (test)\""), "{meta}");
    assert!(meta.contains("[machine]"), "{meta}");
    // Same seeds, same results (up to wall-clock times).
    let (again, _) =
        bench_to_dir(&spec, &dir, "sns bench (test)".into(), "0", &|| {}).expect("bench");
    let strip = |r: &[sns_harness::bench::BenchRow]| -> Vec<(u64, u64)> {
        r.iter()
            .map(|x| (x.steps, x.path_length.map_or(0, f64::to_bits)))
            .collect()
    };
    assert_eq!(strip(&rows), strip(&again));
    std::fs::remove_dir_all(&dir).ok();
}
