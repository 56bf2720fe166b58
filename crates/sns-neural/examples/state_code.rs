//! Prints the control agent's state-space code for a 2-D and a 4-D task: its layout and the
//! radial profile of its kernel, in cells of the agent's places (docs/NEURAL.md, "Control
//! worlds"). `cargo run --release -p sns-neural --example state_code`
use sns_core::system::{Geometry, SystemParams};
use sns_neural::{StateCode, StateCodeParams};
use sns_spaces::{BoxSpace, StateSpace};
use std::f64::consts::{PI, TAU};

fn show<const D: usize>(name: &str, space: StateSpace<D>) {
    let cell = SystemParams::default().cell;
    let g = Geometry::new(space, cell);
    let p = StateCodeParams::for_geometry(&g, None, 0).expect("derived layout");
    let code = StateCode::new(&g, p);
    println!(
        "{name}: {} phasors, {} modules, wavelengths {:.4} to {:.3}",
        p.dims,
        p.modules(D),
        p.lambda_min,
        p.lambda_max
    );
    let cells = [
        0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 8.0, 16.0, 32.0,
    ];
    let row: Vec<String> = cells
        .iter()
        .map(|c| format!("{c}: {:.3}", code.radial_profile(c * cell)))
        .collect();
    println!("  K(r cells) {}", row.join(", "));
}

fn main() {
    let b2 = BoxSpace::new([-PI, -8.0], [PI, 8.0]).expect("ordered");
    show(
        "pendulum-like (angle, speed)",
        StateSpace::new(b2, [TAU, 16.0], [true, false]).expect("valid"),
    );
    let b4 = BoxSpace::new([-PI, -PI, -1.0, -1.0], [PI, PI, 1.0, 1.0]).expect("ordered");
    show(
        "acrobot-like (2 angles, 2 speeds)",
        StateSpace::new(b4, [TAU, TAU, 2.0, 2.0], [true, true, false, false]).expect("valid"),
    );
}
