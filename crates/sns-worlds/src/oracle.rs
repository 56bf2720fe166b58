//! The oracle: the shortest collision-free path length `L*` of the ball on a known map.
//!
//! Method: a visibility graph in configuration space. The ball's centre must stay `BALL_RADIUS`
//! away from every wall box, so shortest paths are straight segments joined by arcs of radius
//! `BALL_RADIUS` around convex wall corners. Each such arc is replaced by a circumscribed polygon
//! (five vertices per quarter turn), which makes the computed length an upper bound within 0.4 % of
//! each arc's length (a few millimetres per turn), and the path exactly collision-free. The graph's
//! nodes are the start, the goal and the polygon vertices; two nodes are joined when the segment
//! between them keeps the ball clear of every wall; A* (petgraph) finds the shortest path.

use crate::math::{Aabb, Real, Vec2};
use crate::maze::MazeMap;
use crate::physics::BALL_RADIUS;
use petgraph::graph::{NodeIndex, UnGraph};

/// A shortest path: its length and its waypoints (start first, goal last).
#[derive(Debug, Clone, PartialEq)]
pub struct ShortestPath {
    /// Length in metres (`L*`).
    pub length: Real,
    /// Waypoints from start to goal.
    pub waypoints: Vec<Vec2>,
}

/// Whether the ball can move in a straight line from `a` to `b` without touching a wall.
pub fn segment_clear(map: &MazeMap, a: Vec2, b: Vec2, radius: Real) -> bool {
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

/// Polygon vertices circumscribing the arcs that a ball of `radius` sweeps around convex wall corners.
pub fn corner_waypoints(map: &MazeMap, radius: Real) -> Vec<Vec2> {
    const PER_QUARTER: usize = 4;
    let step = std::f64::consts::FRAC_PI_2 / PER_QUARTER as Real;
    let ring = (radius + 1e-4) / (step / 2.0).cos();
    let mut pts = Vec::new();
    let mut boxes: Vec<Aabb> = Vec::new();
    for i in 0..=map.rows() as i64 {
        for j in 0..=map.cols() as i64 {
            // The 2x2 block around grid vertex (i, j): NW, NE, SW, SE cells and their diagonal directions.
            let block = [
                ((i - 1, j - 1), (-1.0, 1.0)),
                ((i - 1, j), (1.0, 1.0)),
                ((i, j - 1), (-1.0, -1.0)),
                ((i, j), (1.0, -1.0)),
            ];
            let walls: Vec<bool> = block
                .iter()
                .map(|((r, c), _)| map.is_wall(*r, *c))
                .collect();
            let n = walls.iter().filter(|w| **w).count();
            let diagonal = n == 2 && walls[0] == walls[3];
            if !(n == 1 || diagonal) {
                continue;
            }
            let vertex = Vec2::new(
                j as Real - map.cols() as Real / 2.0,
                map.rows() as Real / 2.0 - i as Real,
            );
            for (k, (_, (dx, dy))) in block.iter().enumerate() {
                if !walls[k] {
                    continue;
                }
                // The free quadrant is opposite the wall; the arc spans from one face normal to the other.
                let a0 = Vec2::new(-dx, 0.0);
                let a1 = Vec2::new(0.0, -dy);
                let start = a0.y.atan2(a0.x);
                let sweep = a0.cross(a1).signum() * std::f64::consts::FRAC_PI_2;
                for s in 0..=PER_QUARTER {
                    let ang = start + sweep * s as Real / PER_QUARTER as Real;
                    let p = vertex + Vec2::new(ang.cos(), ang.sin()) * ring;
                    map.walls_near(p, radius + 0.5, &mut boxes);
                    if boxes.iter().all(|b| b.dist_to_point(p) >= radius) {
                        pts.push(p);
                    }
                }
            }
        }
    }
    pts
}

/// The shortest collision-free path of the ball from `start` to `goal`, or `None` when the goal is
/// unreachable.
pub fn shortest_path(map: &MazeMap, start: Vec2, goal: Vec2) -> Option<ShortestPath> {
    let radius = BALL_RADIUS;
    if segment_clear(map, start, goal, radius) {
        return Some(ShortestPath {
            length: start.dist(goal),
            waypoints: vec![start, goal],
        });
    }
    let mut pts = vec![start, goal];
    pts.extend(corner_waypoints(map, radius));
    let mut g: UnGraph<Vec2, Real> = UnGraph::with_capacity(pts.len(), pts.len() * 8);
    let ids: Vec<NodeIndex> = pts.iter().map(|p| g.add_node(*p)).collect();
    for a in 0..pts.len() {
        for b in a + 1..pts.len() {
            if segment_clear(map, pts[a], pts[b], radius) {
                g.add_edge(ids[a], ids[b], pts[a].dist(pts[b]));
            }
        }
    }
    let (length, path) = petgraph::algo::astar(
        &g,
        ids[0],
        |n| n == ids[1],
        |e| *e.weight(),
        |n| g[n].dist(goal),
    )?;
    Some(ShortestPath {
        length,
        waypoints: path.into_iter().map(|n| g[n]).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn straight_line_in_open_maze() {
        let m = MazeMap::builtin("open").expect("builtin");
        let (a, b) = (m.cell_to_xy((1, 1)), m.cell_to_xy((3, 5)));
        let p = shortest_path(&m, a, b).expect("reachable");
        assert!((p.length - a.dist(b)).abs() < 1e-12);
    }

    #[test]
    fn u_maze_path_wraps_the_wall() {
        let m = MazeMap::builtin("u").expect("builtin");
        let (a, b) = (m.cell_to_xy((1, 1)), m.cell_to_xy((3, 1)));
        let p = shortest_path(&m, a, b).expect("reachable");
        // Around the inner wall (row 2, cols 1..3): lower bound by the corner at (x=1, y=0) inflated.
        assert!(p.length > 4.0 && p.length < 5.2, "{}", p.length);
        for w in p.waypoints.windows(2) {
            assert!(segment_clear(&m, w[0], w[1], BALL_RADIUS - 1e-9));
        }
    }

    #[test]
    fn walled_off_goal_is_unreachable() {
        let m = MazeMap::parse("t", "11111\n10101\n11111\n").expect("valid");
        assert!(shortest_path(&m, m.cell_to_xy((1, 1)), m.cell_to_xy((1, 3))).is_none());
    }
}
