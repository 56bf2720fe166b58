//! Runs the control agent (`sns_core::system::SystemSns`, default parameters) on a
//! classic-control world: one life per seed, several trials, each from the world's random reset.
//!
//! `cargo run --release -p sns-core --example control_trials -- WORLD SEEDS TRIALS [--hide-goal] [--budget N] [--set NAME=VALUE]...`
//!
//! Prints, per seed and trial, the steps, success and the oracle's minimum steps (mountaincar
//! and pendulum), then a summary and the whole run's steps per second (the oracles are built
//! before the clock starts).

use sns_control::{
    Acrobot, AcrobotContinuous, CartPoleSwingUp, ControlWorld, MountainCar, MountainCarOracle,
    Pendulum, PendulumOracle,
};
use sns_core::system::SystemDomain;
use sns_core::Sns;
use sns_spaces::{Agent, Point};
use std::time::Instant;

mod system_common;
use system_common::params;

/// The oracle's minimum steps from a start.
type Oracle<'a, const D: usize> = &'a dyn Fn(&Point<D>) -> Option<u64>;

struct Trial {
    steps: u64,
    success: bool,
    optimal: Option<u64>,
}

struct Run {
    trials: Vec<Vec<Trial>>,
    steps: u64,
    places: usize,
    secs: f64,
}

fn run<const D: usize, W: ControlWorld<D, 1>>(
    make: impl Fn() -> W,
    oracle: Option<Oracle<'_, D>>,
    seeds: u64,
    trials: usize,
    hide_goal: bool,
    budget: u64,
) -> Run {
    let clock = Instant::now();
    let mut all = Vec::new();
    let mut steps_total = 0;
    let mut places = 0;
    for seed in 0..seeds {
        let mut world = make();
        let task = world.task(hide_goal);
        let mut agent = SystemDomain::new(task, params(), seed)
            .map(Sns::new)
            .expect("valid task");
        let mut out = Vec::new();
        for t in 0..trials {
            let (_, info) = world.reset(if t == 0 { Some(seed) } else { None });
            let start = info.state;
            let optimal = oracle.and_then(|o| o(&start));
            let mut obs = world.sense(&info);
            let before = agent.domain().stats();
            agent.begin_trial(&obs);
            let mut steps = 0;
            let mut held_max = 0;
            let mut first_in: Option<u64> = None;
            while steps < budget && !obs.success {
                let a = agent.act(&obs);
                let s = world.step_point(&a);
                obs = world.sense(&s.info);
                steps += 1;
                held_max = held_max.max(s.info.held);
                if s.info.held > 0 && first_in.is_none() {
                    first_in = Some(steps);
                }
            }
            agent.end_trial(obs.success);
            steps_total += steps;
            let st = agent.domain().stats();
            println!(
                "seed {seed:2} trial {t}: steps {steps:6} success {} optimal {} ratio {} (first in the goal region at {}, longest hold {held_max}; decisions {}, plans {}, truncated {}, expansions {})",
                obs.success,
                optimal.map_or("-".into(), |o| o.to_string()),
                optimal.map_or("-".into(), |o| format!("{:.2}", steps as f64 / o as f64)),
                first_in.map_or("-".into(), |f| f.to_string()),
                st.decisions - before.decisions,
                st.plans - before.plans,
                st.truncated - before.truncated,
                st.expansions - before.expansions,
            );
            out.push(Trial {
                steps,
                success: obs.success,
                optimal,
            });
        }
        let st = agent.domain().stats();
        places += st.places;
        println!(
            "seed {seed:2}: places {} refinements {} kernel refinements {} plans {} expansions {} truncated {} decisions {} holds refuted {} failed {}",
            st.places, st.refinements, st.kernel_refinements, st.plans, st.expansions, st.truncated, st.decisions, st.holds_refuted, st.holds_failed
        );
        all.push(out);
    }
    Run {
        trials: all,
        steps: steps_total,
        places,
        secs: clock.elapsed().as_secs_f64(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let world = args
        .first()
        .map_or("mountaincar", String::as_str)
        .to_string();
    let seeds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let trials: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let hide_goal = args.iter().any(|a| a == "--hide-goal");
    let budget: u64 = args
        .iter()
        .position(|a| a == "--budget")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(50_000);
    let r = match world.as_str() {
        "mountaincar" => {
            let o = MountainCarOracle::new(Default::default(), MountainCarOracle::DEFAULT_CELLS);
            let f = move |s: &Point<2>| o.min_steps(*s);
            run(
                MountainCar::default,
                Some(&f),
                seeds,
                trials,
                hide_goal,
                budget,
            )
        }
        "pendulum" => {
            let o = PendulumOracle::new(Default::default(), PendulumOracle::DEFAULT_CELLS);
            let f = move |s: &Point<2>| o.min_steps(*s);
            run(
                Pendulum::default,
                Some(&f),
                seeds,
                trials,
                hide_goal,
                budget,
            )
        }
        "acrobot" => run(Acrobot::default, None, seeds, trials, hide_goal, budget),
        "acrobot-continuous" => run(
            AcrobotContinuous::default,
            None,
            seeds,
            trials,
            hide_goal,
            budget,
        ),
        "cartpole-swingup" => run(
            CartPoleSwingUp::default,
            None,
            seeds,
            trials,
            hide_goal,
            budget,
        ),
        other => {
            eprintln!("unknown world {other}");
            std::process::exit(2);
        }
    };
    for t in 0..trials {
        let col: Vec<&Trial> = r.trials.iter().map(|x| &x[t]).collect();
        let solved = col.iter().filter(|x| x.success).count();
        let max = col.iter().map(|x| x.steps).max().unwrap_or(0);
        let mean = col.iter().map(|x| x.steps as f64).sum::<f64>() / col.len() as f64;
        let ratios: Vec<f64> = col
            .iter()
            .filter_map(|x| x.optimal.map(|o| x.steps as f64 / o as f64))
            .collect();
        let worst = ratios.iter().copied().fold(0.0_f64, f64::max);
        let mean_r = ratios.iter().sum::<f64>() / ratios.len().max(1) as f64;
        println!(
            "trial {t}: solved {solved}/{} steps mean {mean:.0} max {max}; ratio to optimal mean {mean_r:.2} max {worst:.2}",
            col.len()
        );
    }
    println!(
        "{world}{}: {} steps in {:.2} s, {:.0} steps/s, {} places over all seeds",
        if hide_goal { " (goal hidden)" } else { "" },
        r.steps,
        r.secs,
        r.steps as f64 / r.secs,
        r.places
    );
}
