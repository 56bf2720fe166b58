//! The fast oracle against the original construction (every pair of corner vertices tested against
//! every wall box in its bounding rectangle, then a shortest path over the complete graph), on
//! random maps where the original is still quick. Both must give the same `L*`.

mod common;

use proptest::prelude::*;
use sns_worlds::env::{EnvConfig, MazeEnv};
use sns_worlds::generate;
use sns_worlds::math::{Real, Vec2};
use sns_worlds::maze::MazeMap;
use sns_worlds::oracle::{corner_waypoints, shortest_path};
use sns_worlds::physics::BALL_RADIUS;

/// The original clearance test: every wall box in the segment's inflated bounding rectangle.
fn reference_clear(map: &MazeMap, a: Vec2, b: Vec2, radius: Real) -> bool {
    let lo = Vec2::new(a.x.min(b.x) - radius, a.y.min(b.y) - radius);
    let hi = Vec2::new(a.x.max(b.x) + radius, a.y.max(b.y) + radius);
    let (r0, c0) = map.xy_to_cell(Vec2::new(lo.x, hi.y));
    let (r1, c1) = map.xy_to_cell(Vec2::new(hi.x, lo.y));
    for r in r0..=r1 {
        for c in c0..=c1 {
            if map.is_wall(r, c) && map.cell_box(r, c).dist_to_segment(a, b) < radius {
                return false;
            }
        }
    }
    true
}

/// The original oracle: all pairs of nodes, then Dijkstra on the dense graph.
fn reference_length(map: &MazeMap, start: Vec2, goal: Vec2) -> Option<Real> {
    let r = BALL_RADIUS;
    if reference_clear(map, start, goal, r) {
        return Some(start.dist(goal));
    }
    let mut pts = vec![start, goal];
    pts.extend(corner_waypoints(map, r));
    let n = pts.len();
    let mut dist = vec![Real::INFINITY; n];
    let mut done = vec![false; n];
    dist[0] = 0.0;
    loop {
        let u = (0..n)
            .filter(|&i| !done[i] && dist[i].is_finite())
            .min_by(|&a, &b| dist[a].total_cmp(&dist[b]))?;
        if u == 1 {
            return Some(dist[1]);
        }
        done[u] = true;
        for v in 0..n {
            if !done[v] && reference_clear(map, pts[u], pts[v], r) {
                dist[v] = dist[v].min(dist[u] + pts[u].dist(pts[v]));
            }
        }
    }
}

fn random_map() -> impl Strategy<Value = MazeMap> {
    common::random_map(3..15, 2..5)
}

fn any_map() -> impl Strategy<Value = MazeMap> {
    prop_oneof![
        3 => random_map(),
        1 => (1u64..1000, 2usize..6, 2usize..6).prop_map(|(s, w, h)| generate::perfect(w, h, s)),
    ]
}

fn compare(map: &MazeMap, s: Vec2, g: Vec2) -> Result<(), TestCaseError> {
    let want = reference_length(map, s, g);
    let got = shortest_path(map, s, g).map(|p| p.length);
    match (want, got) {
        (None, None) => {}
        (Some(w), Some(l)) => prop_assert!(
            (w - l).abs() <= 1e-9,
            "L* {l:?} vs reference {w:?} from {s:?} to {g:?}\n{}",
            map.to_text()
        ),
        _ => prop_assert!(
            false,
            "reachable: {got:?} vs reference {want:?} from {s:?} to {g:?}\n{}",
            map.to_text()
        ),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn same_length_as_the_all_pairs_graph(map in any_map(), seed in any::<u64>()) {
        let mut e = MazeEnv::new(map, EnvConfig::default()).expect("env");
        e.reset(seed);
        compare(e.map(), e.start(), e.goal())?;
    }

    #[test]
    fn same_length_from_any_free_point(
        map in any_map(),
        a in (0.0f64..1.0, 0.0f64..1.0, any::<prop::sample::Index>()),
        b in (0.0f64..1.0, 0.0f64..1.0, any::<prop::sample::Index>()),
    ) {
        // Points anywhere in free cells, also near walls (within the radius: then no path).
        let free = map.free_cells();
        let at = |(u, v, i): (f64, f64, prop::sample::Index)| {
            map.cell_to_xy(free[i.index(free.len())]) + Vec2::new(u - 0.5, v - 0.5)
        };
        compare(&map, at(a), at(b))?;
    }

    #[test]
    fn same_length_from_points_hugging_a_corner(
        map in any_map(),
        pick in any::<prop::sample::Index>(),
        scale in 0.97f64..1.05,
        b in (0.0f64..1.0, 0.0f64..1.0, any::<prop::sample::Index>()),
        forwards in any::<bool>(),
    ) {
        // A point on the ray from a convex corner through one of its polygon vertices, from just
        // inside the ball's reach to just beyond the polygon: where the tangent rule is thinnest.
        let ring = corner_waypoints(&map, BALL_RADIUS);
        if ring.is_empty() {
            // A map without convex corners (an empty room): nothing to hug.
            return Ok(());
        }
        let p = ring[pick.index(ring.len())];
        let (hw, hh) = (map.cols() as f64 / 2.0, map.rows() as f64 / 2.0);
        let corner = Vec2::new((p.x + hw).round() - hw, (p.y + hh).round() - hh);
        let hug = corner + (p - corner) * scale;
        let free = map.free_cells();
        let (u, v, i) = b;
        let other = map.cell_to_xy(free[i.index(free.len())]) + Vec2::new(u - 0.5, v - 0.5);
        if forwards {
            compare(&map, hug, other)?;
        } else {
            compare(&map, other, hug)?;
        }
    }
}

#[test]
fn goal_nearer_a_corner_than_its_polygon() {
    // The goal lies 0.1008 m from the corner of the wall below it, inside the ring of polygon
    // vertices (0.102 m): the last segment leaves a vertex towards the corner, not along its
    // tangent. The first fast version refused it and found no path.
    let map = MazeMap::parse("pocket", "1111\n1001\n1001\n1011\n1111\n").expect("valid");
    let s = Vec2::new(0.6743446306552596, 0.7630169972698964);
    let g = Vec2::new(-0.09264964667045372, -0.4614795487759592);
    let want = reference_length(&map, s, g).expect("reachable");
    let got = shortest_path(&map, s, g).expect("reachable").length;
    assert!((got - want).abs() <= 1e-9, "{got} vs {want}");
    // And the other way round.
    let back = shortest_path(&map, g, s).expect("reachable").length;
    assert!((back - want).abs() <= 1e-9, "{back} vs {want}");
}
