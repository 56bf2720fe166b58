//! Properties of the state-space metric and interpolation on a space with a periodic axis.

use proptest::prelude::*;
use sns_spaces::{BoxSpace, StateSpace};
use std::f64::consts::PI;

fn space() -> StateSpace<3> {
    let b = BoxSpace::new([-PI, -8.0, 0.0], [PI, 8.0, 2.0]).expect("valid box");
    StateSpace::new(b, [1.0, 4.0, 0.5], [true, false, false]).expect("valid space")
}

fn point() -> impl Strategy<Value = [f64; 3]> {
    (-20.0..20.0f64, -8.0..8.0f64, 0.0..2.0f64).prop_map(|(a, b, c)| [a, b, c])
}

proptest! {
    #[test]
    fn distance_is_a_metric(a in point(), b in point(), c in point()) {
        let s = space();
        let (ab, ba) = (s.distance(&a, &b), s.distance(&b, &a));
        prop_assert!((ab - ba).abs() < 1e-9);
        prop_assert!(s.distance(&a, &a) < 1e-9);
        prop_assert!(ab <= s.distance(&a, &c) + s.distance(&c, &b) + 1e-9);
        // The periodic axis never contributes more than half its period.
        prop_assert!(s.difference(&a, &b)[0].abs() <= PI + 1e-12);
    }

    #[test]
    fn whole_turns_change_nothing(a in point(), b in point(), k in -3i32..3) {
        let s = space();
        let turned = [a[0] + 2.0 * PI * k as f64, a[1], a[2]];
        prop_assert!((s.distance(&a, &b) - s.distance(&turned, &b)).abs() < 1e-9);
    }

    #[test]
    fn interpolation_splits_the_distance(a in point(), b in point(), t in 0.0..1.0f64) {
        let s = space();
        let m = s.interpolate(&a, &b, t);
        prop_assert!(s.bounds().contains(&m) || m[0] == -PI);
        let d = s.distance(&a, &b);
        prop_assert!((s.distance(&a, &m) - t * d).abs() < 1e-9);
        prop_assert!((s.distance(&m, &b) - (1.0 - t) * d).abs() < 1e-9);
    }
}
