//! Quick check: every built-in maze, a few seeds.
use sns_harness::{run, AgentSpec, RunSpec};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mazes: Vec<&str> = if args.len() > 1 {
        args[1].split(',').collect()
    } else {
        vec!["u", "open", "medium", "large", "giant"]
    };
    let seeds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let dynamics = if args.get(3).map(|s| s.as_str()) == Some("kinematic") {
        sns_worlds::physics::Dynamics::Kinematic
    } else {
        Default::default()
    };
    for m in &mazes {
        for seed in 0..seeds {
            let (name, task) = match m.split_once(':') {
                Some((n, t)) => (n, Some(t.parse::<u32>().unwrap())),
                None => (*m, None),
            };
            let spec = RunSpec {
                maze: name.to_string(),
                seed,
                dynamics,
                task: sns_worlds::env::TaskSpec {
                    task,
                    ..Default::default()
                },
                ..RunSpec::default()
            };
            let mut agent = AgentSpec::default();
            if let Ok(ps) = std::env::var("SNS_PARAMS") { for kv in ps.split(',').filter(|s| !s.is_empty()) { let (k, v) = kv.split_once('=').unwrap(); agent.params.set(k, v).unwrap(); } }
            let r = run(&spec, &agent, &mut |_| {}).unwrap();
            let l = r.shortest_path.unwrap_or(f64::NAN);
            let t: Vec<String> = r
                .trials
                .iter()
                .map(|t| {
                    format!(
                        "{}{:>6} {:.2}",
                        if t.success { "" } else { "FAIL " },
                        t.steps,
                        t.path_length / l
                    )
                })
                .collect();
            println!(
                "{m:>7} s{seed} L*={l:5.2} | {} | n={} e={} sps={:.0}",
                t.join(" | "),
                r.graph.nodes,
                r.graph.edges,
                r.steps_per_second
            );
        }
    }
}
