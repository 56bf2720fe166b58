//! Symbolic vs neural substrate on the built-in mazes and the OGBench tasks.
//!
//! `cargo run --release -p sns-neural --example compare -- [MAZES] [SEEDS] [FLAGS]`
//! - MAZES: comma-separated (`u,open,medium,large,giant`, `large:2` for OGBench task 2, or
//!   `ogbench` for all 15 tasks); default all built-in mazes.
//! - SEEDS: number of seeds from 0; default 10.
//! - FLAGS: `nogen` (generalisation off), `selfmotion` (neural on path integration only),
//!   `dims=N`, `neural-only`.
//!
//! Prints one line per run and, per maze, the mean first-trial steps of each substrate, their
//! ratio, the worst third-trial path / L*, the success count and the steps per second.
use sns_harness::{run, AgentSpec, RunResult, RunSpec};
use sns_worlds::env::TaskSpec;

fn one(maze: &str, task: Option<u32>, seed: u64, agent: &AgentSpec) -> Option<RunResult> {
    let spec = RunSpec {
        maze: maze.to_string(),
        seed,
        task: TaskSpec {
            task,
            ..TaskSpec::default()
        },
        ..RunSpec::default()
    };
    match run(&spec, agent, &mut |_| {}) {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("{maze} seed {seed}: {e}");
            None
        }
    }
}

#[derive(Default)]
struct Acc {
    first: f64,
    third_ratio: f64,
    ok: usize,
    runs: usize,
    steps: f64,
    secs: f64,
}

impl Acc {
    fn add(&mut self, r: &RunResult) {
        let l = r.shortest_path.unwrap_or(f64::NAN);
        self.first += r.trials[0].steps as f64;
        if let Some(t) = r.trials.get(2) {
            self.third_ratio = self.third_ratio.max(t.path_length / l);
        }
        self.ok += r.trials.iter().all(|t| t.success) as usize;
        self.runs += 1;
        let steps: u64 = r.trials.iter().map(|t| t.steps).sum();
        self.steps += steps as f64;
        self.secs += steps as f64 / r.steps_per_second;
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flags: Vec<&str> = args.iter().skip(2).map(String::as_str).collect();
    let mut mazes: Vec<String> = args.first().map_or_else(
        || {
            ["u", "open", "medium", "large", "giant"]
                .map(String::from)
                .to_vec()
        },
        |s| s.split(',').map(String::from).collect(),
    );
    if mazes == ["ogbench"] {
        mazes = ["medium", "large", "giant"]
            .iter()
            .flat_map(|m| (1..=5).map(move |t| format!("{m}:{t}")))
            .collect();
    }
    let seeds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let mut params = sns_core::MazeParams::default();
    if flags.contains(&"nogen") {
        params.generalise = false;
    }
    let params = params.check().expect("valid parameters");
    let dims = flags
        .iter()
        .find_map(|f| f.strip_prefix("dims=").and_then(|d| d.parse().ok()));
    let sym = AgentSpec {
        params,
        ..AgentSpec::default()
    };
    let neu = AgentSpec {
        kind: sns_harness::AgentKind::Sns {
            substrate: sns_harness::SubstrateKind::Neural,
        },
        params,
        dims,
        self_motion: flags.contains(&"selfmotion"),
        ..AgentSpec::default()
    };
    let neural_only = flags.contains(&"neural-only");
    let (mut all_s, mut all_n) = (Acc::default(), Acc::default());
    for m in &mazes {
        let (name, task) = match m.split_once(':') {
            Some((n, t)) => (n, t.parse::<u32>().ok()),
            None => (m.as_str(), None),
        };
        let (mut s_acc, mut n_acc) = (Acc::default(), Acc::default());
        for seed in 0..seeds {
            let rs = if neural_only {
                None
            } else {
                one(name, task, seed, &sym)
            };
            let Some(rn) = one(name, task, seed, &neu) else {
                continue;
            };
            let l = rn.shortest_path.unwrap_or(f64::NAN);
            let fmt = |r: &RunResult| {
                r.trials
                    .iter()
                    .map(|t| {
                        format!(
                            "{}{:>6} {:.2}",
                            if t.success { "" } else { "FAIL " },
                            t.steps,
                            t.path_length / l
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" |")
            };
            if let Some(rs) = &rs {
                s_acc.add(rs);
                all_s.add(rs);
                println!(
                    "{m:>8} s{seed} L*={l:5.2} sym {} | n={} sps={:.0}",
                    fmt(rs),
                    rs.graph.nodes,
                    rs.steps_per_second
                );
            }
            n_acc.add(&rn);
            all_n.add(&rn);
            println!(
                "{m:>8} s{seed} L*={l:5.2} neu {} | n={} sps={:.0}",
                fmt(&rn),
                rn.graph.nodes,
                rn.steps_per_second
            );
        }
        summary(m, &s_acc, &n_acc);
    }
    summary("ALL", &all_s, &all_n);
}

fn summary(m: &str, s: &Acc, n: &Acc) {
    let mean = |a: &Acc| a.first / a.runs.max(1) as f64;
    println!(
        "== {m}: first-trial steps sym {:.0} neu {:.0} (ratio {:.3}); worst 3rd path/L* sym {:.3} neu {:.3}; all-success sym {}/{} neu {}/{}; steps/s sym {:.0} neu {:.0}",
        mean(s),
        mean(n),
        mean(n) / mean(s),
        s.third_ratio,
        n.third_ratio,
        s.ok,
        s.runs,
        n.ok,
        n.runs,
        s.steps / s.secs.max(1e-9),
        n.steps / n.secs.max(1e-9),
    );
}
