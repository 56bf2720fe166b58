//! Generated perfect mazes, start and goal in far corners: first-trial steps of SNS (symbolic)
//! against D* Lite 0.25 m (same controller), with SNS's graph size and planning work.
//! `cargo run --release -p sns-baselines --example generated -- SIZES SEEDS [BUDGET]`, e.g.
//! `-- 15,25,41,61 5 3000000`; `AGENTS=sns` runs SNS only; `HIDE_GOAL=1` runs SNS in search mode.
use sns_baselines::DStarLite;
use sns_core::{MazeAgent, MazeDomain, MazeParams, Sns, Substrate, Symbolic, ValidMazeParams};
use sns_worlds::generate::perfect;
use sns_worlds::{EnvConfig, MazeEnv};

/// One trial of `agent`: (solved, steps, wall seconds).
fn trial(env: &mut MazeEnv, agent: &mut dyn MazeAgent) -> (bool, u64, f64) {
    let t0 = std::time::Instant::now();
    let (mut obs, _) = env.restart();
    agent.begin_trial(&obs);
    let mut ok = false;
    loop {
        let s = env.step(agent.act(&obs));
        obs = s.obs;
        if s.terminated {
            ok = true;
            break;
        }
        if s.truncated {
            break;
        }
    }
    agent.end_trial(ok);
    (ok, env.steps(), t0.elapsed().as_secs_f64())
}

fn cfg_hidden() -> bool {
    std::env::var("HIDE_GOAL").is_ok_and(|v| v == "1")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let sizes: Vec<usize> = args
        .get(1)
        .map_or("15,25,41", |s| s.as_str())
        .split(',')
        .map(|s| s.parse().expect("size"))
        .collect();
    let seeds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let budget: u64 = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3_000_000);
    let agents = std::env::var("AGENTS").unwrap_or("sns,dstar".into());
    for &n in &sizes {
        for seed in 0..seeds {
            let cfg = EnvConfig {
                max_steps: budget,
                // Search mode (the goal's position is not sensed) with `HIDE_GOAL=1`; D* Lite
                // needs the goal and is skipped then.
                hide_goal: std::env::var("HIDE_GOAL").is_ok_and(|v| v == "1"),
                ..EnvConfig::default()
            };
            let mut env = MazeEnv::new(perfect(n, n, seed), cfg).expect("env");
            env.reset(seed);
            let mut line = format!("perfect{n} s{seed}");
            if agents.contains("sns") {
                let mut sns =
                    Sns::new(MazeDomain::new(ValidMazeParams::default(), Symbolic::new()));
                let (ok, steps, secs) = trial(&mut env, &mut sns);
                let st = sns.domain().stats();
                let sub = sns.domain().substrate();
                line += &format!(
                    " | sns {} {steps} steps, {} nodes {} edges, {:.0} expansions/plan, {:.0} steps/s, capped {}",
                    if ok { "ok" } else { "FAIL" },
                    sub.node_count(),
                    sub.edge_count(),
                    sub.plan_expansions() as f64 / st.plans.max(1) as f64,
                    steps as f64 / secs,
                    st.capped
                );
            }
            if agents.contains("dstar") && !cfg_hidden() {
                let mut d = DStarLite::new(0.25, MazeParams::default().control);
                let (ok, steps, _) = trial(&mut env, &mut d);
                line += &format!(" | dstar {} {steps}", if ok { "ok" } else { "FAIL" });
            }
            println!("{line}");
        }
    }
}
