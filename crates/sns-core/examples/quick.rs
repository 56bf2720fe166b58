//! Developer check of the SNS agent alone: `cargo run --release -p sns-core --example quick -- MAZES SEEDS`.
//! MAZES is a comma list of built-in names, `name:task` for OGBench tasks; SEEDS seeds from 0, or
//! from SEED0=N. Parameters can be overridden with SNS_PARAMS=name=value,...; HIDE_GOAL=1 hides the
//! goal (search mode). Each trial prints its
//! behaviour failures (`f`), steps and path / L*. The harness (`sns run`, `sns bench`) is the real
//! tool.
mod common;

use sns_core::{MazeDomain, Sns, Substrate, Symbolic};
use sns_worlds::oracle::shortest_path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mazes = args
        .get(1)
        .cloned()
        .unwrap_or("u,open,medium,large,giant".into());
    let seeds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let trials = 3;
    let params = common::params_from_env();
    let (mut sum1, mut worst3, mut n) = (0u64, 0f64, 0);
    for m in mazes.split(',') {
        let seed0: u64 = std::env::var("SEED0")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        for seed in seed0..seed0 + seeds {
            let mut env = common::world(m, seed);
            let l =
                shortest_path(env.map(), env.start(), env.goal()).map_or(f64::NAN, |p| p.length);
            let mut agent = Sns::new(MazeDomain::new(params, Symbolic::new()));
            let mut row = Vec::new();
            let t0 = std::time::Instant::now();
            let mut total = 0;
            for k in 0..trials {
                let f0 = agent.domain().stats().failures;
                let (path, ok) = common::trial(&mut env, &mut agent, |_| {});
                total += env.steps();
                if k == 0 {
                    sum1 += env.steps();
                }
                if k == trials - 1 {
                    worst3 = f64::max(worst3, path / l);
                }
                row.push(format!(
                    "{}f{:<3} {:>6} {:.2}",
                    if ok { "" } else { "FAIL " },
                    agent.domain().stats().failures - f0,
                    env.steps(),
                    path / l
                ));
            }
            n += 1;
            let st = agent.domain().stats();
            println!(
                "{m:>8} s{seed} L*={l:5.2} | {} | n={} f={} r={} sps={:.0}",
                row.join(" | "),
                agent.domain().substrate().node_count(),
                st.failures,
                st.refinements,
                total as f64 / t0.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "mean first-trial steps {:.0}, worst third-trial path/L* {:.2}",
        sum1 as f64 / n as f64,
        worst3
    );
}
