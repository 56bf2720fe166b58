//! Debug dump: one run with trajectories and the final graph as JSON on stdout.
use sns_harness::{run, AgentSpec, RunSpec};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (name, task) = match a[1].split_once(':') { Some((n, t)) => (n.to_string(), Some(t.parse::<u32>().unwrap())), None => (a[1].clone(), None) };
    let seed: u64 = a[2].parse().unwrap();
    let trials: u32 = a.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let max_steps: u64 = a.get(4).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let spec = RunSpec { maze: name, seed, trials, max_steps, record_every: 5, task: sns_worlds::env::TaskSpec { task, ..Default::default() }, ..RunSpec::default() };
    let mut agent = AgentSpec::default();
    if let Ok(ps) = std::env::var("SNS_PARAMS") { for kv in ps.split(',').filter(|s| !s.is_empty()) { let (k, v) = kv.split_once('=').unwrap(); agent.params.set(k, v).unwrap(); } }
    let r = run(&spec, &agent, &mut |_| {}).unwrap();
    let snap = r.snapshot.clone().unwrap_or_default();
    let out = serde_json::json!({
        "map": r.map.as_ref().unwrap().to_text(), "start": r.start, "goal": r.goal,
        "trials": r.trials, "nodes": snap.nodes, "edges": snap.edges, "failures": snap.failures,
    });
    println!("{}", out);
}
