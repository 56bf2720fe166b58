//! What did the first trials explore, and how much of it does the third trial use?
//!
//! `cargo run --release -p sns-core --example explored -- MAZES FIRST_SEED SEEDS`
//! (MAZES: comma list of built-in names, `name:task` for OGBench tasks; parameters as in `quick`
//! through SNS_PARAMS=name=value,...). For each run of three trials it prints the path / L* of
//! every trial and two bounds computed from the positions the ball visited in trials 1 and 2:
//!
//! - `explored`: the shortest start -> goal path through those positions, joined by straight
//!   segments up to 1 m long that clear the true map's walls (a route an agent that had
//!   perfectly understood what it saw could take);
//! - `tube`: the same, joined only where two positions are within 0.3 m (the trajectories
//!   themselves, switching between them where they meet).
//!
//! The goal counts as reached within 0.6 m (success is within 0.45 m; positions are sampled
//! every 4 steps). Segments are checked with a 6 cm clearance so that chords of the ball's path
//! around a corner it touched still count. This is an analysis tool: it reads the map.
mod common;

use petgraph::algo::dijkstra;
use petgraph::graph::UnGraph;
use sns_core::{MazeDomain, Sns, Symbolic};
use sns_worlds::oracle::{segment_clear, shortest_path};
use sns_worlds::{Real, Vec2};

/// Shortest path length from `pts[0]` to the goal (the last point) over the edges `join` allows.
fn shortest(pts: &[Vec2], join: impl Fn(Vec2, Vec2) -> bool) -> Real {
    let mut g = UnGraph::<(), Real>::new_undirected();
    let ns: Vec<_> = pts.iter().map(|_| g.add_node(())).collect();
    let goal = pts.len() - 1;
    for i in 0..pts.len() {
        for j in i + 1..pts.len() {
            let d = pts[i].dist(pts[j]);
            if j == goal && d <= 0.6 {
                g.add_edge(ns[i], ns[j], 0.0);
            } else if j != goal && join(pts[i], pts[j]) {
                g.add_edge(ns[i], ns[j], d);
            }
        }
    }
    let dist = dijkstra(&g, ns[0], Some(ns[goal]), |e| *e.weight());
    dist.get(&ns[goal]).copied().unwrap_or(Real::NAN)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mazes = args.get(1).cloned().unwrap_or("giant:4".into());
    let first: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let seeds: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10);
    let params = common::params_from_env();
    println!("maze seed t1 t2 t3 explored tube");
    for m in mazes.split(',') {
        for seed in first..first + seeds {
            let mut env = common::world(m, seed);
            let map = env.map().clone();
            let (start, goal) = (env.start(), env.goal());
            let l = shortest_path(&map, start, goal).map_or(Real::NAN, |p| p.length);
            let mut agent = Sns::new(MazeDomain::new(params, Symbolic::new()));
            let mut visited = vec![start];
            let mut ratios = Vec::new();
            for k in 0..3 {
                let mut steps = 0u64;
                let (path, _) = common::trial(&mut env, &mut agent, |obs| {
                    steps += 1;
                    let thin = visited.iter().all(|q| q.dist(obs.position) > 0.1);
                    if k < 2 && steps % 4 == 0 && thin {
                        visited.push(obs.position);
                    }
                });
                ratios.push(path / l);
            }
            visited.push(goal);
            let explored = shortest(&visited, |a, b| {
                a.dist(b) < 1.0 && segment_clear(&map, a, b, 0.06)
            });
            let tube = shortest(&visited, |a, b| a.dist(b) < 0.3);
            println!(
                "{m} {seed} {:.3} {:.3} {:.3} {:.3} {:.3}",
                ratios[0],
                ratios[1],
                ratios[2],
                explored / l,
                tube / l
            );
        }
    }
}
