//! How far the control agent's learned model is from the world over a horizon: the diagnosis
//! of the acrobot's third trials (docs/METHOD.md, "Diagnosed, not fixed: the 4-D worlds").
//!
//! `cargo run --release -p sns-core --example model_error -- WORLD SEEDS [--set NAME=VALUE]...`
//!
//! Per seed, the agent (default parameters, or those set) lives two trials; its model as it is at the start
//! of the third trial is kept; the third trial is then acted by the agent, and from every state
//! of it the kept model is rolled out with the actions the agent actually took, step by step
//! (the agent's own prediction: the kernel regression of the learned flows at the kernel's
//! radius). Printed per horizon `k`: the fraction of rollouts still inside the model (an
//! outcome learned within the radius at every step), and, of those, the median and 90th
//! percentile distance between the predicted and the real state after `k` steps, in cells;
//! and per axis, the median one-step error and the median real one-step change, in cells.

use sns_control::{Acrobot, ControlWorld, MountainCar, Pendulum};
use sns_core::system::{Geometry, SystemSubstrate};
use sns_spaces::Point;

mod system_common;
use system_common::{params, three_trials};

const HORIZONS: [usize; 6] = [1, 2, 5, 10, 20, 40];

fn run<const D: usize, W: ControlWorld<D, 1>>(make: impl Fn() -> W, seeds: u64) {
    let params = params();
    // Per horizon: rollouts started, still known, and the errors (cells) of the known ones.
    let mut started = [0usize; HORIZONS.len()];
    let mut known = [0usize; HORIZONS.len()];
    let mut errs: Vec<Vec<f64>> = vec![Vec::new(); HORIZONS.len()];
    // One step: per axis, the absolute error and the real change, in cells.
    let mut axis_err: Vec<Vec<f64>> = vec![Vec::new(); D];
    let mut axis_move: Vec<Vec<f64>> = vec![Vec::new(); D];
    for seed in 0..seeds {
        let mut world = make();
        let task = world.task(false);
        let geo = Geometry::new(task.space, params.cell);
        let mut path: Vec<(Point<D>, usize)> = Vec::new();
        let (model, last) =
            three_trials(&mut world, params, seed, 5000, |t, before, level, _, _| {
                if t == 2 {
                    path.push((geo.to_u(before), level));
                }
            });
        path.push((geo.to_u(&last), usize::MAX));
        let mem = model.domain().substrate();
        for i in 0..path.len() {
            let mut u = path[i].0;
            let mut inside = true;
            let mut k = 0;
            for (h, &horizon) in HORIZONS.iter().enumerate() {
                if i + horizon >= path.len() {
                    break;
                }
                while k < horizon {
                    if inside {
                        match mem.predict(&u, path[i + k].1, params.kernel_radius) {
                            Some(f) => {
                                let next: Point<D> = std::array::from_fn(|j| u[j] + f[j]);
                                u = geo.to_u(&geo.from_u(&next));
                            }
                            None => inside = false,
                        }
                    }
                    k += 1;
                }
                started[h] += 1;
                if inside {
                    if horizon == 1 {
                        let e = geo.diff(&path[i + 1].0, &u);
                        let m = geo.diff(&path[i].0, &path[i + 1].0);
                        for j in 0..D {
                            axis_err[j].push(e[j].abs() / params.cell);
                            axis_move[j].push(m[j].abs() / params.cell);
                        }
                    }
                    known[h] += 1;
                    errs[h].push(geo.dist(&u, &path[i + horizon].0) / params.cell);
                }
            }
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    for j in 0..D {
        println!(
            "axis {j}: one-step error median {:.2} cells, real one-step change median {:.2} cells",
            median(&mut axis_err[j]),
            median(&mut axis_move[j])
        );
    }
    println!("horizon  rollouts  inside-model  error-median(cells)  error-p90(cells)");
    for (h, &horizon) in HORIZONS.iter().enumerate() {
        let e = &mut errs[h];
        e.sort_by(f64::total_cmp);
        let q = |p: f64| {
            if e.is_empty() {
                f64::NAN
            } else {
                e[((e.len() - 1) as f64 * p).round() as usize]
            }
        };
        println!(
            "{horizon:7}  {:8}  {:12.3}  {:19.2}  {:16.2}",
            started[h],
            known[h] as f64 / started[h].max(1) as f64,
            q(0.5),
            q(0.9)
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seeds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    match args.first().map_or("acrobot", String::as_str) {
        "acrobot" => run(Acrobot::default, seeds),
        "mountaincar" => run(MountainCar::default, seeds),
        "pendulum" => run(Pendulum::default, seeds),
        other => {
            eprintln!("unknown world {other}");
            std::process::exit(2);
        }
    }
}
