//! The oracle's `L*` must not change when its algorithm does.
//!
//! `tests/data/oracle_lstar.tsv` holds `L*` as computed by the original all-pairs visibility graph
//! (commit ef4d204, before the oracle was made fast) on every built-in maze, the OGBench tasks,
//! PointMaze-style seeded draws and generated mazes, one case a line: map, start x, start y, goal
//! x, goal y, `L*` (all as the hexadecimal bits of the `f64`, so that nothing is lost to printing;
//! `none` when the goal is unreachable), then the same numbers in decimal for people.
//! `record_fixture` (ignored) prints the table from the current code; it was run once, on the old code.

use sns_worlds::env::{EnvConfig, MazeEnv, TaskSpec};
use sns_worlds::generate;
use sns_worlds::maze::{ogbench_tasks, Cell, MazeMap, BUILTIN};
use sns_worlds::oracle::shortest_path;
use sns_worlds::Vec2;

fn saved(id: &str, text: &str) -> MazeMap {
    MazeMap::parse(id, text).expect("a valid saved map")
}

/// The maps of the fixture by name: built-ins and generated mazes.
fn map_by_id(id: &str) -> MazeMap {
    if let Some(m) = MazeMap::builtin(id) {
        return m;
    }
    match id {
        "spiral2" => generate::spiral(2),
        "spiral3" => generate::spiral(3),
        "deadends5x4" => generate::dead_ends(5, 4),
        "rooms2x3" => generate::rooms(2, 3),
        "rooms3x3" => generate::rooms(3, 3),
        // The perfect mazes of the recording came from the `knossos` crate, which the project no
        // longer uses: they are kept as map files (the same mazes as then).
        "perfect6x5s1" => saved(id, include_str!("data/maps/perfect6x5s1.txt")),
        "perfect8x8s7" => saved(id, include_str!("data/maps/perfect8x8s7.txt")),
        "perfect12x12s3" => saved(id, include_str!("data/maps/perfect12x12s3.txt")),
        "perfect25x25s1" => saved(id, include_str!("data/maps/perfect25x25s1.txt")),
        "walledoff" => generate::walled_off(),
        _ => panic!("unknown fixture map {id}"),
    }
}

const GENERATED: &[&str] = &[
    "spiral2",
    "spiral3",
    "deadends5x4",
    "rooms2x3",
    "rooms3x3",
    "perfect6x5s1",
    "perfect8x8s7",
    "perfect12x12s3",
    "perfect25x25s1",
    "walledoff",
];

fn cases() -> Vec<(String, Vec2, Vec2)> {
    let mut out = Vec::new();
    for (name, _, _) in BUILTIN {
        let map = map_by_id(name);
        // PointMaze-style seeded draws through the env's reset.
        let mut env = MazeEnv::new(map.clone(), EnvConfig::default()).expect("env");
        for seed in 0..20 {
            env.reset(seed);
            out.push((name.to_string(), env.start(), env.goal()));
        }
        if let Some(tasks) = ogbench_tasks(name) {
            for (k, (s, g)) in tasks.iter().enumerate() {
                // The task's cell centres, and the task with PointMaze's noise (seeds 0..3).
                out.push((name.to_string(), map.cell_to_xy(*s), map.cell_to_xy(*g)));
                let config = EnvConfig {
                    task: TaskSpec {
                        task: Some(k as u32 + 1),
                        ..TaskSpec::default()
                    },
                    ..EnvConfig::default()
                };
                let mut env = MazeEnv::new(map.clone(), config).expect("env");
                for seed in 0..3 {
                    env.reset(seed);
                    out.push((name.to_string(), env.start(), env.goal()));
                }
            }
        }
    }
    for id in GENERATED {
        let map = map_by_id(id);
        let s = map.cells_where(|c| c == Cell::Reset)[0];
        let g = map.cells_where(|c| c == Cell::Goal)[0];
        out.push((id.to_string(), map.cell_to_xy(s), map.cell_to_xy(g)));
        let mut env = MazeEnv::new(map.clone(), EnvConfig::default()).expect("env");
        for seed in 0..4 {
            env.reset(seed);
            out.push((id.to_string(), env.start(), env.goal()));
        }
    }
    out
}

fn bits(x: f64) -> String {
    format!("{:016x}", x.to_bits())
}

fn unbits(s: &str) -> f64 {
    f64::from_bits(u64::from_str_radix(s, 16).expect("hex bits"))
}

#[test]
#[ignore = "prints the fixture table from the current code; run once on the original oracle"]
fn record_fixture() {
    for (id, s, g) in cases() {
        let l = shortest_path(&map_by_id(&id), s, g).map(|p| p.length);
        let lb = l.map_or("none".to_string(), bits);
        let ld = l.map_or("none".to_string(), |l| format!("{l:?}"));
        println!(
            "{id}\t{}\t{}\t{}\t{}\t{lb}\t# ({:?}, {:?}) -> ({:?}, {:?}): {ld}",
            bits(s.x),
            bits(s.y),
            bits(g.x),
            bits(g.y),
            s.x,
            s.y,
            g.x,
            g.y
        );
    }
}

#[test]
fn oracle_gives_the_recorded_lengths() {
    let text = include_str!("data/oracle_lstar.tsv");
    let mut n = 0;
    let mut maps = std::collections::HashMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let map = maps.entry(f[0]).or_insert_with(|| map_by_id(f[0]));
        let s = Vec2::new(unbits(f[1]), unbits(f[2]));
        let g = Vec2::new(unbits(f[3]), unbits(f[4]));
        let got = shortest_path(map, s, g).map(|p| p.length);
        match (f[5], got) {
            ("none", None) => {}
            ("none", Some(l)) => panic!("{line}\nnow reachable with L* {l}"),
            (_, None) => panic!("{line}\nnow unreachable"),
            (want, Some(l)) => {
                let want = unbits(want);
                assert!(
                    (l - want).abs() <= 1e-9,
                    "{line}\nL* {l:?} vs recorded {want:?}"
                );
            }
        }
        n += 1;
    }
    // Every built-in, task and generated map is in the table, including the unreachable goal.
    assert_eq!(n, cases().len());
    assert!(text.lines().any(|l| l.split('\t').nth(5) == Some("none")));
    for id in [
        "u",
        "open",
        "medium",
        "large",
        "giant",
        "perfect25x25s1",
        "walledoff",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{id}\t"))),
            "{id}"
        );
    }
}
