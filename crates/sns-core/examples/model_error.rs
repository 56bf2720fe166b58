//! How far the control agent's learned model is from the world over a horizon: the diagnosis
//! of the acrobot's third trials (docs/METHOD.md, "Acrobot, why the third trial does not
//! exploit"), and the measurement behind the harmonic flow readout (`SystemParams::harmonic_order`;
//! METHOD, "A global readout of the flow").
//!
//! `cargo run --release -p sns-core --example model_error -- WORLD SEEDS [--order K] [--set NAME=VALUE]...`
//! (WORLD: acrobot, cartpole, mountaincar or pendulum)
//!
//! Per seed, the agent (default parameters, or those set) lives two trials; its model as it is at
//! the start of the third trial is kept; the third trial is then acted by the agent, and from
//! every state of it the kept model is rolled out with the actions the agent actually took, step
//! by step (the agent's own prediction: the kernel regression of the learned flows at the
//! kernel's radius). Printed per horizon `k`: the fraction of rollouts still inside the model (an
//! outcome learned within the radius at every step), and, of those, the median and 90th
//! percentile distance between the predicted and the real state after `k` steps, in cells; and
//! per axis, the median one-step error and the median real one-step change, in cells. With
//! `--order K` (K > 0) a harmonic readout of total order K is also fitted to every step of the
//! first two trials and rolled out the same way: its median error over the rollouts the kernel
//! knows, and its median and 90th percentile over all rollouts.

use sns_control::{Acrobot, CartPoleSwingUp, ControlWorld, MountainCar, Pendulum};
use sns_core::system::harmonic::HarmonicFlow;
use sns_core::system::{
    normalise_action, Geometry, SystemDomain, SystemParams, SystemSns, SystemSubstrate,
};
use sns_core::Sns;
use sns_spaces::{Agent, Point};

mod system_common;
use system_common::params;

const HORIZONS: [usize; 6] = [1, 2, 5, 10, 20, 40];

/// The `q` quantile of `e` (sorted in place); NaN when empty.
fn quantile(e: &mut [f64], q: f64) -> f64 {
    e.sort_by(f64::total_cmp);
    if e.is_empty() {
        f64::NAN
    } else {
        e[((e.len() - 1) as f64 * q).round() as usize]
    }
}

/// The symbolic agent (parameters `params`) lives three trials of `world` (the first reset drawn
/// from `seed`, at most `budget` steps each). `step(trial, state, level, action, next)` sees every
/// step (trials numbered from 0, `level` the index of the level taken, `action` its value).
/// Returns the agent as it was at the third trial's start and the third trial's last state.
fn three_trials<const D: usize, W: ControlWorld<D, 1>>(
    world: &mut W,
    params: SystemParams,
    seed: u64,
    budget: usize,
    mut step: impl FnMut(usize, &Point<D>, usize, &Point<1>, &Point<D>),
) -> (SystemSns<D, 1>, Point<D>) {
    let mut agent = SystemDomain::new(world.task(false), params, seed)
        .map(Sns::new)
        .expect("valid task");
    let mut model = None;
    let mut last = [0.0; D];
    for t in 0..3 {
        if t == 2 {
            model = Some(agent.clone());
        }
        let (_, info) = world.reset(if t == 0 { Some(seed) } else { None });
        let mut obs = world.sense(&info);
        agent.begin_trial(&obs);
        let mut steps = 0;
        while steps < budget && !obs.success {
            let a = agent.act(&obs);
            let level = agent
                .domain()
                .primitives()
                .levels()
                .iter()
                .position(|(l, _)| l[0] == a[0])
                .expect("a level");
            let before = obs.state;
            let s = world.step_point(&a);
            obs = world.sense(&s.info);
            step(t, &before, level, &a, &obs.state);
            steps += 1;
        }
        agent.end_trial(obs.success);
        last = obs.state;
    }
    (model.expect("kept"), last)
}

fn run<const D: usize, W: ControlWorld<D, 1>>(make: impl Fn() -> W, seeds: u64, order: u8) {
    let params = params();
    // Per horizon: rollouts started, still known, and the errors (cells) of the known ones; the
    // readout's errors over the known rollouts and over all of them.
    let mut started = [0usize; HORIZONS.len()];
    let mut known = [0usize; HORIZONS.len()];
    let mut errs: Vec<Vec<f64>> = vec![Vec::new(); HORIZONS.len()];
    let mut h_known: Vec<Vec<f64>> = vec![Vec::new(); HORIZONS.len()];
    let mut h_all: Vec<Vec<f64>> = vec![Vec::new(); HORIZONS.len()];
    // One step: per axis, the absolute error and the real change, in cells.
    let mut axis_err: Vec<Vec<f64>> = vec![Vec::new(); D];
    let mut axis_move: Vec<Vec<f64>> = vec![Vec::new(); D];
    let (mut learned, mut regressors) = (0usize, 0usize);
    for seed in 0..seeds {
        let mut world = make();
        let task = world.task(false);
        let geo = Geometry::new(task.space, params.cell);
        let mut readout = (order > 0).then(|| HarmonicFlow::<D, 1>::new(task.space, order));
        // The third trial: normalised state, level index, normalised action.
        let mut path: Vec<(Point<D>, usize, f64)> = Vec::new();
        let (model, last) = three_trials(
            &mut world,
            params,
            seed,
            20000,
            |t, before, level, a, after| {
                let an = normalise_action(&task.actions, a)[0];
                if t == 2 {
                    path.push((geo.to_u(before), level, an));
                } else if let Some(h) = &mut readout {
                    let flow = geo.diff(&geo.to_u(before), &geo.to_u(after));
                    h.learn(before, &[an], &flow);
                    learned += 1;
                }
            },
        );
        path.push((geo.to_u(&last), usize::MAX, 0.0));
        if let Some(h) = &mut readout {
            h.solve();
            regressors = h.regressor_count();
        }
        let mem = model.domain().substrate();
        // One step of a rollout: the state moved by a predicted flow, wrapped into the space.
        let step = |u: &Point<D>, f: Point<D>| {
            let next: Point<D> = std::array::from_fn(|j| u[j] + f[j]);
            geo.to_u(&geo.from_u(&next))
        };
        for i in 0..path.len() {
            let mut u = path[i].0;
            let mut g = path[i].0;
            let mut inside = true;
            let mut k = 0;
            for (h, &horizon) in HORIZONS.iter().enumerate() {
                if i + horizon >= path.len() {
                    break;
                }
                while k < horizon {
                    if inside {
                        match mem.predict(&u, path[i + k].1, params.kernel_radius) {
                            Some(f) => u = step(&u, f),
                            None => inside = false,
                        }
                    }
                    if let Some(r) = &readout {
                        let f = r.predict(&geo.from_u(&g), &[path[i + k].2]);
                        g = step(&g, f.expect("solved"));
                    }
                    k += 1;
                }
                started[h] += 1;
                let real = &path[i + horizon].0;
                let ge = geo.dist(&g, real) / params.cell;
                h_all[h].push(ge);
                if inside {
                    if horizon == 1 {
                        let e = geo.diff(real, &u);
                        let m = geo.diff(&path[i].0, real);
                        for j in 0..D {
                            axis_err[j].push(e[j].abs() / params.cell);
                            axis_move[j].push(m[j].abs() / params.cell);
                        }
                    }
                    known[h] += 1;
                    errs[h].push(geo.dist(&u, real) / params.cell);
                    h_known[h].push(ge);
                }
            }
        }
    }
    for j in 0..D {
        println!(
            "axis {j}: one-step error median {:.2} cells, real one-step change median {:.2} cells",
            quantile(&mut axis_err[j], 0.5),
            quantile(&mut axis_move[j], 0.5)
        );
    }
    if order > 0 {
        println!(
            "harmonic readout of order {order}: {regressors} regressors, {learned} steps learned"
        );
    }
    println!(
        "horizon  rollouts  inside-model  error-median(cells)  error-p90(cells)  \
         readout-median(inside)  readout-median(all)  readout-p90(all)"
    );
    for (h, &horizon) in HORIZONS.iter().enumerate() {
        let mut line = format!(
            "{horizon:7}  {:8}  {:12.3}  {:19.2}  {:16.2}",
            started[h],
            known[h] as f64 / started[h].max(1) as f64,
            quantile(&mut errs[h], 0.5),
            quantile(&mut errs[h], 0.9)
        );
        if order > 0 {
            line += &format!(
                "  {:22.2}  {:19.2}  {:16.2}",
                quantile(&mut h_known[h], 0.5),
                quantile(&mut h_all[h], 0.5),
                quantile(&mut h_all[h], 0.9)
            );
        }
        println!("{line}");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seeds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10);
    let order: u8 = args
        .windows(2)
        .find(|w| w[0] == "--order")
        .map_or(0, |w| w[1].parse().expect("--order K: an integer"));
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
