//! The harmonic flow readout against the kernel model: the measurement behind
//! `SystemParams::harmonic_order` (docs/METHOD.md, "A global readout of the flow").
//!
//! `cargo run --release -p sns-core --example global_model -- WORLD SEEDS ORDER`
//! (WORLD: acrobot, cartpole, mountaincar or pendulum)
//!
//! Per seed the agent (default parameters) lives three trials. The kernel model is kept as it
//! is at the third trial's start, and a harmonic readout of total order ORDER is fitted to every
//! step of the first two trials. From every state of the third trial both are rolled out with
//! the levels the agent took. Printed per horizon: the fraction of rollouts the kernel knows
//! throughout (an outcome learned within its radius at every step), the kernel's error (median,
//! 90th percentile, in cells) over those, and the readout's over those and over all rollouts.

use sns_control::{Acrobot, CartPoleSwingUp, ControlWorld, MountainCar, Pendulum};
use sns_core::system::harmonic::HarmonicFlow;
use sns_core::system::{Geometry, SystemSubstrate};
use sns_spaces::Point;

mod system_common;
use system_common::{params, three_trials};

const HORIZONS: [usize; 6] = [1, 2, 5, 10, 20, 40];

fn run<const D: usize, W: ControlWorld<D, 1>>(make: impl Fn() -> W, seeds: u64, order: u8) {
    let params = params();
    let mut started = [0usize; HORIZONS.len()];
    let mut known = [0usize; HORIZONS.len()];
    let mut errs: Vec<Vec<f64>> = vec![Vec::new(); HORIZONS.len()];
    let mut gerrs: Vec<Vec<f64>> = vec![Vec::new(); HORIZONS.len()];
    let mut gerrs_known: Vec<Vec<f64>> = vec![Vec::new(); HORIZONS.len()];
    let mut nsamples = 0;
    let mut regressors = 0;
    for seed in 0..seeds {
        let mut world = make();
        let task = world.task(false);
        let (lo, hi) = (task.actions.low()[0], task.actions.high()[0]);
        let mut global = HarmonicFlow::<D, 1>::new(task.space, order);
        regressors = global.regressor_count();
        let geo = Geometry::new(task.space, params.cell);
        // The third trial: state, level, normalised action.
        let mut path: Vec<(Point<D>, usize, f64)> = Vec::new();
        let (model, last) = three_trials(
            &mut world,
            params,
            seed,
            20000,
            |t, before, level, a, after| {
                let an = 2.0 * (a[0] - lo) / (hi - lo) - 1.0;
                if t < 2 {
                    let flow = geo.diff(&geo.to_u(before), &geo.to_u(after));
                    global.learn(before, &[an], &flow);
                    nsamples += 1;
                } else {
                    path.push((*before, level, an));
                }
            },
        );
        path.push((last, usize::MAX, 0.0));
        global.solve();
        let mem = model.domain().substrate();
        for i in 0..path.len() {
            let mut u = geo.to_u(&path[i].0);
            let mut g = path[i].0; // raw state for the global model
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
                    let gu = geo.to_u(&g);
                    let f = global.predict(&g, &[path[i + k].2]).expect("solved");
                    let next: Point<D> = std::array::from_fn(|j| gu[j] + f[j]);
                    g = geo.from_u(&next);
                    k += 1;
                }
                started[h] += 1;
                let real = geo.to_u(&path[i + horizon].0);
                let ge = geo.dist(&geo.to_u(&g), &real) / params.cell;
                gerrs[h].push(ge);
                if inside {
                    known[h] += 1;
                    errs[h].push(geo.dist(&u, &real) / params.cell);
                    gerrs_known[h].push(ge);
                }
            }
        }
    }
    println!("steps learned {nsamples} (all seeds), regressors {regressors}");
    println!("horizon  inside  kernel-med  kernel-p90  global-med(inside)  global-med(all)  global-p90(all)");
    let q = |e: &mut Vec<f64>, p: f64| {
        e.sort_by(f64::total_cmp);
        if e.is_empty() {
            f64::NAN
        } else {
            e[((e.len() - 1) as f64 * p).round() as usize]
        }
    };
    for (h, &horizon) in HORIZONS.iter().enumerate() {
        println!(
            "{horizon:7}  {:6.3}  {:10.2}  {:10.2}  {:18.2}  {:15.2}  {:15.2}",
            known[h] as f64 / started[h].max(1) as f64,
            q(&mut errs[h], 0.5),
            q(&mut errs[h], 0.9),
            q(&mut gerrs_known[h], 0.5),
            q(&mut gerrs[h], 0.5),
            q(&mut gerrs[h], 0.9),
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seeds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(4);
    let order: u8 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    match args.first().map_or("acrobot", String::as_str) {
        "acrobot" => run(Acrobot::default, seeds, order),
        "cartpole" => run(CartPoleSwingUp::default, seeds, order),
        "mountaincar" => run(MountainCar::default, seeds, order),
        "pendulum" => run(Pendulum::default, seeds, order),
        other => {
            eprintln!("unknown world {other}");
            std::process::exit(2);
        }
    }
}
