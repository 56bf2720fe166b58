//! Developer check of the SNS agent alone: `cargo run --release -p sns-core --example quick -- MAZES SEEDS`.
//! MAZES is a comma list of built-in names, `name:task` for OGBench tasks; SEEDS seeds from 0, or
//! from SEED0=N. Parameters can be overridden with SNS_PARAMS=name=value,... Each trial prints its
//! behaviour failures (`f`), steps and path / L*. The harness (`sns run`, `sns bench`) is the real
//! tool.
use sns_core::{Agent, Sns, SnsParams, Substrate, Symbolic};
use sns_worlds::env::TaskSpec;
use sns_worlds::oracle::shortest_path;
use sns_worlds::{EnvConfig, MazeEnv, MazeMap};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mazes = args
        .get(1)
        .cloned()
        .unwrap_or("u,open,medium,large,giant".into());
    let seeds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let trials = 3;
    let mut params = SnsParams::default();
    if let Ok(ps) = std::env::var("SNS_PARAMS") {
        for kv in ps.split(',').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').expect("name=value");
            params.set(k, v).expect("valid parameter");
        }
    }
    let (mut sum1, mut worst3, mut n) = (0u64, 0f64, 0);
    for m in mazes.split(',') {
        let (name, task) = match m.split_once(':') {
            Some((n, t)) => (n, Some(t.parse::<u32>().expect("task number"))),
            None => (m, None),
        };
        let seed0: u64 = std::env::var("SEED0")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        for seed in seed0..seed0 + seeds {
            let map = MazeMap::builtin(name).expect("built-in maze");
            let cfg = EnvConfig {
                task: TaskSpec {
                    task,
                    ..Default::default()
                },
                max_steps: 100_000,
                ..Default::default()
            };
            let mut env = MazeEnv::new(map, cfg).expect("env");
            env.reset(seed);
            let l =
                shortest_path(env.map(), env.start(), env.goal()).map_or(f64::NAN, |p| p.length);
            let mut agent = Sns::new(params, Symbolic::new());
            let mut row = Vec::new();
            let t0 = std::time::Instant::now();
            let mut total = 0;
            for k in 0..trials {
                let f0 = agent.stats().failures;
                let (mut obs, _) = env.restart();
                agent.begin_trial(&obs);
                let mut path = 0.0;
                let mut ok = obs.success;
                while !ok {
                    let prev = obs.position;
                    let s = env.step(agent.act(&obs));
                    obs = s.obs;
                    path += prev.dist(obs.position);
                    ok = s.terminated;
                    if s.truncated {
                        break;
                    }
                }
                agent.end_trial(ok);
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
                    agent.stats().failures - f0,
                    env.steps(),
                    path / l
                ));
            }
            n += 1;
            let st = agent.stats();
            println!(
                "{m:>8} s{seed} L*={l:5.2} | {} | n={} f={} r={} sps={:.0}",
                row.join(" | "),
                agent.substrate_ref().node_count(),
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
