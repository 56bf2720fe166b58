//! Micro-benchmarks of the neural substrate: encoding, place-unit readout, Hebbian update,
//! planning by activity (a new wave, and an incremental re-plan), path integration. Seeded inputs.
// criterion's macros generate undocumented functions.
#![allow(missing_docs)]
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sns_core::{Hebbian, PlanCosts, Substrate};
use sns_neural::{CodeParams, HarmonicCode, Neural, PathIntegrator, DEFAULT_DIMS};
use sns_worlds::Vec2;

fn random_graph(n: usize) -> Neural {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut neu = Neural::with_dims(DEFAULT_DIMS).expect("default layout is valid");
    for _ in 0..n {
        neu.add_node(
            Vec2::new(rng.gen_range(-8.0..8.0), rng.gen_range(-6.0..6.0)),
            0,
        );
    }
    for u in 0..n {
        for v in neu.within(neu.node_pos(u), 1.5, 17) {
            neu.connect(u, v, Some(rng.gen_range(0.2..1.0)));
        }
        neu.connect(u, 0, None);
    }
    for _ in 0..500 {
        let p = Vec2::new(rng.gen_range(-8.0..8.0), rng.gen_range(-6.0..6.0));
        neu.record_contact(p, Vec2::new(1.0, 0.0));
    }
    neu
}

fn benches(c: &mut Criterion) {
    let code = HarmonicCode::new(CodeParams::default()).expect("default layout is valid");
    let x = Vec2::new(1.234, -2.345);
    c.bench_function("encode (192)", |b| b.iter(|| code.encode(black_box(x))));
    let h = code.encode(x);
    c.bench_function("decode (192)", |b| b.iter(|| code.decode(black_box(&h))));
    // The layout derived for a 201 x 201-cell maze: 20 modules, 240 phasors.
    let reach = 201.0_f64.hypot(201.0) / 2.0;
    let wide = HarmonicCode::new(CodeParams::for_reach(reach, None).expect("layout"))
        .expect("derived layout is valid");
    let far_x = Vec2::new(97.5, -98.25);
    c.bench_function("encode (240, 201-cell maze)", |b| {
        b.iter(|| wide.encode(black_box(far_x)))
    });
    let far_h = wide.encode(far_x);
    c.bench_function("decode (240, 201-cell maze)", |b| {
        b.iter(|| wide.decode(black_box(&far_h)))
    });
    let mut pi = PathIntegrator::new(&code, x);
    c.bench_function("path integration step (192)", |b| {
        b.iter(|| pi.step(&code, black_box(Vec2::new(0.01, 0.02))))
    });
    let neu = random_graph(2000);
    c.bench_function("readout nearest (2000 units)", |b| {
        b.iter(|| neu.nearest(black_box(x)))
    });
    c.bench_function("readout within 1.5 m (2000 units)", |b| {
        b.iter(|| neu.within(black_box(x), 1.5, 17))
    });
    let costs: PlanCosts = sns_core::MazeParams::default().costs();
    let rule = sns_core::MazeParams::default().hebbian();
    let mut neu2 = random_graph(2000);
    let (u, v) = (5, neu2.within(neu2.node_pos(5), 1.5, 2)[1]);
    c.bench_function("Hebbian potentiate + depress", |b| {
        b.iter(|| {
            neu2.potentiate(u, v, &rule, &costs);
            neu2.depress(u, v, &rule, &costs);
        })
    });
    // Up to 64 new contacts are scanned linearly: most are far from the segment.
    let mut sparse = Neural::with_dims(DEFAULT_DIMS).expect("default layout is valid");
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for _ in 0..64 {
        let p = Vec2::new(rng.gen_range(-20.0..20.0), rng.gen_range(-20.0..20.0));
        sparse.record_contact(p, Vec2::new(0.0, 1.0));
    }
    c.bench_function("wall test, 64 contacts over 40 m", |b| {
        b.iter(|| sparse.wall_between(black_box(x), black_box(x + Vec2::new(0.5, 0.0)), &costs))
    });
    let far = neu.nearest(Vec2::new(7.5, 5.5)).map_or(1, |x| x.0);
    let near = neu.nearest(Vec2::new(-7.5, -5.5)).map_or(2, |x| x.0);
    c.bench_function("plan by activity (2000 units, across the map)", |b| {
        let none = sns_core::familiar::FamiliarSpace::default();
        b.iter(|| neu.plan_wave(black_box(far), black_box(near), &costs, &none))
    });
    // A decision in the incremental planner: one synapse on the current route depressed, then a
    // re-plan from its source (the previous search is repaired, not repeated); so slightly
    // depressed that the route stays the cheapest.
    let slight = Hebbian {
        beta: 0.999,
        ..rule
    };
    let mut neu3 = random_graph(2000);
    let none = sns_core::familiar::FamiliarSpace::default();
    let path = neu3
        .plan(far, near, &costs, &none, f64::INFINITY)
        .map_or(vec![far], |p| p.1);
    c.bench_function(
        "re-plan after a depression on the route (2000 units, incremental)",
        |b| {
            let mut k = 0;
            b.iter(|| {
                k = (k + 1) % path.len().saturating_sub(1).max(1);
                let (u, v) = (path[k], path[(k + 1).min(path.len() - 1)]);
                neu3.depress(u, v, &slight, &costs);
                neu3.plan(black_box(u), near, &costs, &none, 3.5)
            })
        },
    );
}

criterion_group!(neural, benches);
criterion_main!(neural);
