//! The oracle: the shortest collision-free path length `L*` of the ball on a known map.
//!
//! Method: a visibility graph in configuration space. The ball's centre must stay `BALL_RADIUS`
//! away from every wall box, so shortest paths are straight segments joined by arcs of radius
//! `BALL_RADIUS` around convex wall corners. Each such arc is replaced by a circumscribed polygon
//! (five vertices per quarter turn), which makes the computed length an upper bound within 0.4 % of
//! each arc's length (a few millimetres per turn), and the path exactly collision-free. The graph's
//! nodes are the start, the goal and the polygon vertices; two nodes are joined when the segment
//! between them keeps the ball clear of every wall.
//!
//! The graph is never built whole (it has a quadratic number of candidate edges, and testing them
//! all made a 201x201 maze take more than half an hour). Instead an A* search expands it lazily:
//! - a path that turns at a polygon vertex wraps the corner there, so its segments at that vertex
//!   are (nearly) tangent to the corner's arc; an edge is only considered when it is tangent, within
//!   `TANGENT_SLACK` of the widest tangent the ball's arc allows, at both of its corner vertices
//!   (a bitangent edge); edges to the start or the goal may take any direction;
//! - the candidates of an expanded vertex are found by casting a beam of tangent directions
//!   through the free cells, forwards and backwards, not by scanning every vertex;
//! - a candidate's clearance is tested only when it would shorten that vertex's best path, and the
//!   test walks the grid cells the inflated segment crosses, stopping at the first wall.
//!
//! The lengths are those of the complete graph: `tests/oracle_fixture.rs` checks them against the
//! original all-pairs construction on every built-in maze and task, and a property test compares
//! the two on random maps.

use crate::math::{Real, Vec2};
use crate::maze::{MazeMap, CELL_SIZE};
use crate::physics::BALL_RADIUS;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Vertices per quarter turn of a corner's circumscribed polygon, minus one.
const PER_QUARTER: usize = 4;

/// How much farther from the tangent (radians) than the widest direction that clears the ball's
/// arc an edge may leave a corner vertex and still be considered. That widest direction,
/// `acos(radius / ring radius)` (11.5 degrees), is itself the exact bound: on the random maps of
/// `tests/oracle_reference.rs` the search agrees with the all-pairs graph without slack and
/// disagrees with 0.005 rad less; the slack is a margin for rounding, at little cost.
const TANGENT_SLACK: Real = 0.05;

/// A shortest path: its length and its waypoints (start first, goal last).
#[derive(Debug, Clone, PartialEq)]
pub struct ShortestPath {
    /// Length in metres (`L*`).
    pub length: Real,
    /// Waypoints from start to goal.
    pub waypoints: Vec<Vec2>,
}

/// Whether the ball can move in a straight line from `a` to `b` without touching a wall.
///
/// The segment is clear when every wall box is at least `radius` from it. Only the cells within
/// `radius` of the segment are visited, column by column from `a`'s end, and the walk stops at the
/// first wall that is too close, so a blocked segment costs a few cells whatever its length.
pub fn segment_clear(map: &MazeMap, a: Vec2, b: Vec2, radius: Real) -> bool {
    if !(a.is_finite() && b.is_finite() && radius.is_finite()) {
        return false;
    }
    let (rows, cols) = (map.rows() as i64, map.cols() as i64);
    let inside = |p: Vec2| {
        let (r, c) = map.xy_to_cell(p);
        (0..rows).contains(&r) && (0..cols).contains(&c)
    };
    // Cells outside the map count as walls, and an end out there is inside one of them.
    if !inside(a) || !inside(b) {
        return false;
    }
    let r = radius.max(0.0);
    let d = b - a;
    let col_of = |x: Real| map.xy_to_cell(Vec2::new(x, 0.0)).1.clamp(-1, cols);
    let row_of = |y: Real| map.xy_to_cell(Vec2::new(0.0, y)).0.clamp(-1, rows);
    let (ca, cb) = (col_of(a.x), col_of(b.x));
    let (c_lo, c_hi) = (col_of(a.x.min(b.x) - r) - 1, col_of(a.x.max(b.x) + r) + 1);
    let step: i64 = if cb >= ca { 1 } else { -1 };
    let mut c = if step > 0 { c_lo } else { c_hi };
    loop {
        let x0 = map.cell_box(0, c).min.x;
        // The part of the segment whose x lies within `radius` of this column.
        let (lo, hi) = (x0 - r, x0 + CELL_SIZE + r);
        let (t0, t1) = if d.x == 0.0 {
            if a.x < lo || a.x > hi {
                (2.0, 2.0)
            } else {
                (0.0, 1.0)
            }
        } else {
            let (u, v) = ((lo - a.x) / d.x, (hi - a.x) / d.x);
            (u.min(v).max(0.0), u.max(v).min(1.0))
        };
        if t0 <= t1 {
            let (ya, yb) = (a.y + d.y * t0, a.y + d.y * t1);
            let (r_top, r_bot) = (row_of(ya.max(yb) + r) - 1, row_of(ya.min(yb) - r) + 1);
            for row in r_top.max(-1)..=r_bot.min(rows) {
                if map.is_wall(row, c) && map.cell_box(row, c).dist_to_segment(a, b) < radius {
                    return false;
                }
            }
        }
        if (step > 0 && c >= c_hi) || (step < 0 && c <= c_lo) {
            return true;
        }
        c += step;
    }
}

/// A vertex of a corner's circumscribed polygon.
#[derive(Debug, Clone, Copy)]
struct RingVertex {
    /// Position.
    p: Vec2,
    /// Unit vector from the corner to the vertex; the arc's tangent there is perpendicular to it.
    radial: Vec2,
}

/// The circumscribed polygon vertices of every convex corner, in the order of
/// [`corner_waypoints`].
fn ring_vertices(map: &MazeMap, radius: Real) -> (Vec<RingVertex>, Real) {
    let step = std::f64::consts::FRAC_PI_2 / PER_QUARTER as Real;
    let ring = (radius + 1e-4) / (step / 2.0).cos();
    let mut out = Vec::new();
    let mut boxes = Vec::new();
    for i in 0..=map.rows() as i64 {
        for j in 0..=map.cols() as i64 {
            // The 2x2 block around grid vertex (i, j): NW, NE, SW, SE cells and their diagonal directions.
            let block = [
                ((i - 1, j - 1), (-1.0, 1.0)),
                ((i - 1, j), (1.0, 1.0)),
                ((i, j - 1), (-1.0, -1.0)),
                ((i, j), (1.0, -1.0)),
            ];
            let walls = block.map(|((r, c), _)| map.is_wall(r, c));
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
                    let radial = Vec2::new(ang.cos(), ang.sin());
                    let p = vertex + radial * ring;
                    map.walls_near(p, radius + 0.5, &mut boxes);
                    if boxes.iter().all(|b| b.dist_to_point(p) >= radius) {
                        out.push(RingVertex { p, radial });
                    }
                }
            }
        }
    }
    (out, ring)
}

/// Polygon vertices circumscribing the arcs that a ball of `radius` sweeps around convex wall corners.
pub fn corner_waypoints(map: &MazeMap, radius: Real) -> Vec<Vec2> {
    ring_vertices(map, radius)
        .0
        .into_iter()
        .map(|v| v.p)
        .collect()
}

/// An A* queue entry, ordered so that the smallest estimate pops first.
#[derive(Debug, PartialEq)]
struct Open(Real, usize);

impl Eq for Open {}
impl PartialOrd for Open {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Open {
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.total_cmp(&self.0).then(o.1.cmp(&self.1))
    }
}

/// The lazily expanded visibility graph of one query.
struct Search<'a> {
    map: &'a MazeMap,
    radius: Real,
    /// Node 0 is the start, node 1 the goal, node `2 + k` ring vertex `k`.
    nodes: Vec<Vec2>,
    ring: Vec<RingVertex>,
    /// The sine of the widest angle between an edge and the arc's tangent at a ring vertex.
    sin_cone: Real,
    /// Ring vertices by cell (compressed rows: cell `i` holds `by_cell[start[i]..start[i + 1]]`).
    cell_start: Vec<usize>,
    by_cell: Vec<usize>,
    /// Cell walk marks (a cell is seen in this walk when its mark equals `stamp`).
    marks: Vec<u32>,
    stamp: u32,
    /// The slope interval of the beam in each marked cell.
    beam: Vec<(Real, Real)>,
    /// The cells marked in this walk, and the walk's work list.
    visited: Vec<usize>,
    queue: Vec<(i64, i64)>,
}

impl<'a> Search<'a> {
    fn new(map: &'a MazeMap, radius: Real, start: Vec2, goal: Vec2) -> Self {
        let (ring, ring_radius) = ring_vertices(map, radius);
        let cells = map.rows() * map.cols();
        let cell_of = |p: Vec2| {
            let (r, c) = map.xy_to_cell(p);
            // Ring vertices lie in the free cell of their corner, so inside the map.
            (r.clamp(0, map.rows() as i64 - 1) as usize) * map.cols()
                + c.clamp(0, map.cols() as i64 - 1) as usize
        };
        let mut count = vec![0usize; cells + 1];
        for v in &ring {
            count[cell_of(v.p) + 1] += 1;
        }
        for i in 0..cells {
            count[i + 1] += count[i];
        }
        let mut fill = count.clone();
        let mut by_cell = vec![0; ring.len()];
        for (k, v) in ring.iter().enumerate() {
            let c = cell_of(v.p);
            by_cell[fill[c]] = k;
            fill[c] += 1;
        }
        let beta = (radius / ring_radius).clamp(-1.0, 1.0).acos();
        let mut nodes = vec![start, goal];
        nodes.extend(ring.iter().map(|v| v.p));
        Search {
            map,
            radius,
            nodes,
            ring,
            sin_cone: (beta + TANGENT_SLACK)
                .min(std::f64::consts::FRAC_PI_2)
                .sin(),
            cell_start: count,
            by_cell,
            marks: vec![0; cells],
            stamp: 0,
            beam: vec![(0.0, 0.0); cells],
            visited: Vec::new(),
            queue: Vec::new(),
        }
    }

    /// Whether the line from node `n` towards `dir` (unit) is tangent enough at `n`.
    fn tangent_at(&self, n: usize, dir: Vec2) -> bool {
        n < 2 || self.ring[n - 2].radial.dot(dir).abs() <= self.sin_cone
    }

    /// Whether the edge `a`-`b` is worth a clearance test: tangent at both ends. Edges to the
    /// start or the goal take any direction: either may lie nearer a corner than its polygon, and
    /// then the last (or first) segment leaves the vertex towards the corner.
    fn bitangent(&self, a: usize, b: usize) -> bool {
        if a < 2 || b < 2 {
            return true;
        }
        let dir = (self.nodes[b] - self.nodes[a]).normalized();
        self.tangent_at(a, dir) && self.tangent_at(b, dir)
    }

    /// The ring vertices that node `n` may see along a tangent, found by casting a beam of
    /// directions forwards and backwards along the tangent through free cells.
    ///
    /// A beam is an interval of slopes (relative to the tangent) carried from cell to cell through
    /// the shared edges; entering a cell narrows it to the directions that pass through the edge.
    /// A clear segment from `n` crosses only free cells, each through an edge its direction passes,
    /// so every vertex it can reach is kept (a superset: the interval of a cell reached twice is
    /// the hull of both).
    fn beam_candidates(&mut self, n: usize, out: &mut Vec<usize>) {
        const EPS: Real = 1e-9;
        out.clear();
        let v = self.ring[n - 2];
        let apex = v.p;
        let half = self.sin_cone.asin();
        let tan_half = half.tan();
        let map = self.map;
        let cols = map.cols() as i64;
        let first = map.xy_to_cell(apex);
        for sign in [1.0, -1.0] {
            let t = v.radial.perp() * sign;
            // Slope of the direction to `q` relative to `t`, or None when `q` is not ahead.
            let slope = |q: Vec2| {
                let d = q - apex;
                let a = t.dot(d);
                (a > EPS).then(|| t.cross(d) / a)
            };
            // The slopes through which a segment from the apex crosses the edge `e0`-`e1`.
            // Only the apex's own cell can have the apex on an edge (a corner's end vertices lie
            // on grid lines); a segment leaves through that edge in any direction of the beam.
            let through = |e0: Vec2, e1: Vec2, lo: Real, hi: Real, own: bool| {
                if own && crate::math::point_segment_dist(apex, e0, e1) <= EPS {
                    return Some((lo, hi));
                }
                match (slope(e0), slope(e1)) {
                    (Some(s0), Some(s1)) => {
                        let (a, b) = (s0.min(s1).max(lo), s0.max(s1).min(hi));
                        (a <= b + EPS).then_some((a, b))
                    }
                    (None, None) => None,
                    // An edge partly behind the apex: keep the whole beam (a superset).
                    _ => Some((lo, hi)),
                }
            };
            self.stamp = self.stamp.wrapping_add(1);
            if self.stamp == 0 {
                self.marks.iter_mut().for_each(|m| *m = 0);
                self.stamp = 1;
            }
            self.visited.clear();
            self.queue.clear();
            let ix0 = (first.0 * cols + first.1) as usize;
            self.marks[ix0] = self.stamp;
            self.beam[ix0] = (-tan_half, tan_half);
            self.visited.push(ix0);
            self.queue.push(first);
            // First in, first out: cells nearer the apex settle their beams before farther ones
            // inherit them, so few cells are walked twice.
            let mut head = 0;
            while let Some(&(r, c)) = self.queue.get(head) {
                head += 1;
                let (lo, hi) = self.beam[(r * cols + c) as usize];
                let b = map.cell_box(r, c);
                let (x0, y0, x1, y1) = (b.min.x, b.min.y, b.max.x, b.max.y);
                let sides = [
                    ((r - 1, c), Vec2::new(x0, y1), Vec2::new(x1, y1)),
                    ((r + 1, c), Vec2::new(x0, y0), Vec2::new(x1, y0)),
                    ((r, c - 1), Vec2::new(x0, y0), Vec2::new(x0, y1)),
                    ((r, c + 1), Vec2::new(x1, y0), Vec2::new(x1, y1)),
                ];
                for ((nr, nc), e0, e1) in sides {
                    if map.is_wall(nr, nc) {
                        continue;
                    }
                    let Some((a, b)) = through(e0, e1, lo, hi, (r, c) == first) else {
                        continue;
                    };
                    let nix = (nr * cols + nc) as usize;
                    if self.marks[nix] != self.stamp {
                        self.marks[nix] = self.stamp;
                        self.beam[nix] = (a, b);
                        self.visited.push(nix);
                    } else {
                        let (ol, oh) = self.beam[nix];
                        if a >= ol - EPS && b <= oh + EPS {
                            continue;
                        }
                        self.beam[nix] = (ol.min(a), oh.max(b));
                    }
                    self.queue.push((nr, nc));
                }
            }
            for &ix in &self.visited {
                let (lo, hi) = self.beam[ix];
                for &k in &self.by_cell[self.cell_start[ix]..self.cell_start[ix + 1]] {
                    if k + 2 == n {
                        continue;
                    }
                    if let Some(s) = slope(self.ring[k].p) {
                        if s >= lo - EPS && s <= hi + EPS {
                            out.push(k + 2);
                        }
                    }
                }
            }
        }
    }

    fn run(&mut self) -> Option<ShortestPath> {
        let n = self.nodes.len();
        let goal = self.nodes[1];
        let mut best = vec![Real::INFINITY; n];
        let mut parent = vec![usize::MAX; n];
        let mut closed = vec![false; n];
        let mut heap = BinaryHeap::new();
        best[0] = 0.0;
        heap.push(Open(self.nodes[0].dist(goal), 0));
        let mut cands = Vec::new();
        while let Some(Open(_, u)) = heap.pop() {
            if closed[u] {
                continue;
            }
            closed[u] = true;
            if u == 1 {
                let mut waypoints = vec![self.nodes[1]];
                let mut k = 1;
                while k != 0 {
                    k = parent[k];
                    waypoints.push(self.nodes[k]);
                }
                waypoints.reverse();
                return Some(ShortestPath {
                    length: best[1],
                    waypoints,
                });
            }
            if u == 0 {
                // The start sees in every direction: every vertex is a candidate (the clearance
                // walk stops at the first wall, so this costs little).
                cands.clear();
                cands.extend(1..n);
            } else {
                self.beam_candidates(u, &mut cands);
                cands.push(1);
            }
            let pu = self.nodes[u];
            for &q in &cands {
                if closed[q] || !self.bitangent(u, q) {
                    continue;
                }
                let pq = self.nodes[q];
                let tentative = best[u] + pu.dist(pq);
                if tentative < best[q] && segment_clear(self.map, pu, pq, self.radius) {
                    best[q] = tentative;
                    parent[q] = u;
                    heap.push(Open(tentative + pq.dist(goal), q));
                }
            }
        }
        None
    }
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
    Search::new(map, radius, start, goal).run()
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

    #[test]
    fn segment_clearance_sees_walls_along_the_whole_segment() {
        let m = MazeMap::builtin("u").expect("builtin");
        // Row 2 is a wall from col 1 to 3: a vertical segment across it is blocked, one beside it in
        // col 3's free cells is not, and one grazing the wall by less than the radius is blocked.
        let (top, bottom) = (m.cell_to_xy((1, 2)), m.cell_to_xy((3, 2)));
        assert!(!segment_clear(&m, top, bottom, BALL_RADIUS));
        assert!(!segment_clear(&m, bottom, top, BALL_RADIUS));
        let (e1, e2) = (m.cell_to_xy((1, 3)), m.cell_to_xy((3, 3)));
        assert!(segment_clear(&m, e1, e2, BALL_RADIUS));
        // Cell (2, 3) spans x in [0.5, 1.5]; the wall's face is at x = 0.5.
        let graze = Vec2::new(0.55, 0.0);
        assert!(!segment_clear(
            &m,
            e1 + Vec2::new(-0.45, 0.0),
            graze,
            BALL_RADIUS
        ));
        assert!(segment_clear(
            &m,
            Vec2::new(0.65, 1.0),
            Vec2::new(0.65, -1.0),
            BALL_RADIUS
        ));
        // Ends outside the map are inside the walls that surround it.
        assert!(!segment_clear(&m, Vec2::new(-9.0, 0.0), e1, BALL_RADIUS));
        assert!(!segment_clear(
            &m,
            Vec2::new(Real::NAN, 0.0),
            e1,
            BALL_RADIUS
        ));
    }
}
