//! Does a superposition memory pay? A measurement for docs/NEURAL.md.
//!
//! `cargo run --release -p sns-neural --example superposition`
//!
//! The query the agent needs from a memory of places (contacts, visited places) is "is one of them
//! within `r` of here?". A bundle `B = sum_i h(p_i)` answers with one dot product
//! `Re<h(q), B> / N = sum_i K(q - p_i)`: a sum of kernel values, not a maximum. This measures how
//! well that sum separates queries within 0.3 m of a stored place from queries farther than 0.45 m
//! from all of them, for bundles of `n` places drawn in a 1 m square (about one spatial bucket of the
//! substrate), with the best threshold for each `n` (balanced accuracy; the exact memory scores 1).
//! It does so for the default code and for the code's fine modules only (wavelengths up to 2 m).
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sns_neural::code::{CodeParams, HarmonicCode};
use sns_worlds::{Real, Vec2};

/// Balanced accuracy of the best threshold separating `pos` (should be above) from `neg`.
fn best_accuracy(pos: &[Real], neg: &[Real]) -> Real {
    let mut all: Vec<(Real, bool)> = pos.iter().map(|&s| (s, true)).collect();
    all.extend(neg.iter().map(|&s| (s, false)));
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Threshold below all[i]: negatives below are right, positives at or above are right.
    let (np, nn) = (pos.len() as Real, neg.len() as Real);
    let (mut neg_below, mut pos_below) = (0.0, 0.0);
    let mut best: Real = 0.5;
    for &(_, is_pos) in &all {
        best = best.max(0.5 * (neg_below / nn + (np - pos_below) / np));
        if is_pos {
            pos_below += 1.0;
        } else {
            neg_below += 1.0;
        }
    }
    best
}

fn main() {
    let code = HarmonicCode::new(CodeParams::default()).expect("default code");
    let omega = code.omega();
    let fine: Vec<usize> = (0..omega.len())
        .filter(|&k| std::f64::consts::TAU / omega[k].norm() <= 2.0)
        .collect();
    let all: Vec<usize> = (0..omega.len()).collect();
    println!("kernel profile K(r) of the default code (192 phasors, wavelengths 0.4 to 100 m):");
    for r in [0.0, 0.1, 0.3, 0.45, 1.0, 2.0] {
        println!("  K({r:.2} m) = {:.3}", code.radial_profile(r));
    }
    println!();
    println!(
        "| places bundled | default code (192 phasors) | fine modules only ({} phasors) |",
        fine.len()
    );
    println!("|---:|---:|---:|");
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for n in [1usize, 2, 4, 8, 16, 32] {
        let mut acc = Vec::new();
        for subset in [&all, &fine] {
            let (mut pos, mut neg) = (Vec::new(), Vec::new());
            for trial in 0..4000 {
                let pts: Vec<Vec2> = (0..n)
                    .map(|_| Vec2::new(rng.gen_range(0.0..1.0), rng.gen_range(0.0..1.0)))
                    .collect();
                // The bundle, literally: a sum of codes over the chosen phasors.
                let mut bre = vec![0.0; subset.len()];
                let mut bim = vec![0.0; subset.len()];
                for p in &pts {
                    let h = code.encode(*p);
                    for (j, &k) in subset.iter().enumerate() {
                        bre[j] += h.re[k];
                        bim[j] += h.im[k];
                    }
                }
                let q = if trial % 2 == 0 {
                    let (r, a) = (0.3 * rng.gen::<Real>().sqrt(), rng.gen_range(0.0..6.3));
                    Some(pts[rng.gen_range(0..n)] + Vec2::new(r * Real::cos(a), r * Real::sin(a)))
                } else {
                    (0..100)
                        .map(|_| Vec2::new(rng.gen_range(-0.5..1.5), rng.gen_range(-0.5..1.5)))
                        .find(|q| pts.iter().all(|p| p.dist(*q) > 0.45))
                };
                let Some(q) = q else { continue };
                let h = code.encode(q);
                let score = subset
                    .iter()
                    .enumerate()
                    .map(|(j, &k)| h.re[k] * bre[j] + h.im[k] * bim[j])
                    .sum::<Real>()
                    / subset.len() as Real;
                if trial % 2 == 0 {
                    pos.push(score);
                } else {
                    neg.push(score);
                }
            }
            acc.push(best_accuracy(&pos, &neg));
        }
        println!("| {n} | {:.3} | {:.3} |", acc[0], acc[1]);
    }
}
