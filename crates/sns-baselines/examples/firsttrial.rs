//! Where does a first trial spend its steps? SNS (symbolic) against D* Lite 0.25 m on the same
//! worlds (seed 0, step budget 2 000 000): steps, path, mean speed, steps in contact, steps slower
//! than 1 m/s, stops (below 0.5 m/s after having been above 2 m/s), SNS's failures and plans.
//! With `CONTACTS=1`, SNS's contact steps are split by what its current behaviour heads for: a
//! place within 0.15 m of a wall of the true map (the lattice, anchored at the noisy start, lays
//! places in the margin the ball's radius keeps it from), and how many are fast (> 1.5 m/s:
//! sliding along the wall). An analysis tool: it reads the map.
//! `cargo run --release -p sns-baselines --example firsttrial -- WORLD[,WORLD...]`
//! (`SNS_PARAMS=name=value,...` overrides SNS's parameters; `AGENTS=sns` skips D* Lite).
use sns_baselines::DStarLite;
use sns_core::{Agent, MazeAgent, MazeDomain, MazeParams, MazeSns, Sns, Symbolic};
use sns_worlds::oracle::segment_clear;
use sns_worlds::{EnvConfig, MazeEnv, MazeMap, Real};

fn run(env: &mut MazeEnv, agent: &mut dyn MazeAgent) -> String {
    let (mut obs, _) = env.restart();
    agent.begin_trial(&obs);
    let (mut steps, mut contact, mut slow, mut stops, mut path) = (0u64, 0u64, 0u64, 0u64, 0.0);
    let mut fast = false;
    loop {
        let prev = obs.position;
        let s = env.step(agent.act(&obs));
        obs = s.obs;
        steps += 1;
        path += prev.dist(obs.position);
        if obs.contact {
            contact += 1;
        }
        let v = obs.velocity.norm();
        if v < 1.0 {
            slow += 1;
        }
        if v > 2.0 {
            fast = true;
        }
        if fast && v < 0.5 {
            stops += 1;
            fast = false;
        }
        if s.terminated || s.truncated {
            agent.end_trial(s.terminated);
            break;
        }
    }
    format!(
        "steps {steps:7} path {path:7.0} m/s {:.2} contact {contact:6} slow {slow:6} stops {stops:5}",
        path / (steps as Real * 0.01),
    )
}

/// SNS only: what the current behaviour is heading for while the body is in contact.
fn sns_contacts(env: &mut MazeEnv, agent: &mut MazeSns<Symbolic>) -> String {
    use sns_core::Substrate;
    let map = env.map().clone();
    let (mut obs, _) = env.restart();
    agent.begin_trial(&obs);
    let (mut at_wall, mut c_at_wall, mut c_fast, mut c, mut c_entries, mut was) =
        (0u64, 0u64, 0u64, 0u64, 0u64, false);
    let (mut seg_wall, mut c_seg_wall) = (0u64, 0u64);
    let mut prev_pos = obs.position;
    loop {
        let s = env.step(agent.act(&obs));
        prev_pos = if s.terminated { prev_pos } else { obs.position };
        obs = s.obs;
        let tgt = agent
            .domain()
            .current_plan()
            .first()
            .map(|&n| agent.domain().substrate().node_pos(n));
        let tw = tgt.is_some_and(|t| !segment_clear(&map, t, t, 0.15));
        let sw = tgt.is_some_and(|t| !segment_clear(&map, prev_pos, t, 0.1));
        at_wall += tw as u64;
        seg_wall += sw as u64;
        if obs.contact {
            c += 1;
            c_at_wall += tw as u64;
            c_seg_wall += sw as u64;
            if obs.velocity.norm() > 1.5 {
                c_fast += 1;
            }
            if !was {
                c_entries += 1;
            }
        }
        was = obs.contact;
        if s.terminated || s.truncated {
            agent.end_trial(s.terminated);
            break;
        }
    }
    format!("contact {c} entries {c_entries} fast(>1.5) {c_fast} target-at-wall {c_at_wall} (all steps {at_wall}) line-blocked {c_seg_wall} (all {seg_wall})")
}

fn main() {
    let worlds = std::env::args().nth(1).unwrap_or("bugtrap:41".into());
    let mut params = MazeParams::default();
    if let Ok(ps) = std::env::var("SNS_PARAMS") {
        for kv in ps.split(',').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').expect("name=value");
            params.set(k, v).expect("valid parameter");
        }
    }
    let params = params.check().expect("valid");
    let agents = std::env::var("AGENTS").unwrap_or("sns,dstar".into());
    for w in worlds.split(',') {
        let map = MazeMap::load(w).expect("world");
        let cfg = EnvConfig {
            max_steps: 2_000_000,
            ..EnvConfig::default()
        };
        for a in agents.split(',') {
            let mut env = MazeEnv::new(map.clone(), cfg.clone()).expect("env");
            env.reset(0);
            if a == "sns" {
                let mut agent = Sns::new(MazeDomain::new(params, Symbolic::new()));
                let r = run(&mut env, &mut agent);
                let st = agent.domain().stats();
                println!("{w:18} sns   {r} fails {} plans {}", st.failures, st.plans);
                if std::env::var("CONTACTS").is_err() {
                    continue;
                }
                let mut env = MazeEnv::new(map.clone(), cfg.clone()).expect("env");
                env.reset(0);
                let mut agent = Sns::new(MazeDomain::new(params, Symbolic::new()));
                println!("{w:18} sns   {}", sns_contacts(&mut env, &mut agent));
            } else {
                let b = env.map().bounds();
                let mut agent =
                    DStarLite::for_world(0.25, Default::default(), b.min, b.max).expect("grid");
                println!("{w:18} dstar {}", run(&mut env, &mut agent));
            }
        }
    }
}
