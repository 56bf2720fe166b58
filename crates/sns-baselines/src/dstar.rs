//! D* Lite (Koenig and Likhachev 2002) on an occupancy grid learned by touch.
//!
//! S. Koenig and M. Likhachev, "D* Lite", AAAI 2002, 476-483 (the version of its Figure 3, with the
//! key modifier `k_m`).
//!
//! The agent is not given the map, only (through [`DStarLite::for_world`]) the world's bounds: the
//! axis-aligned box of the map, outside which everything is wall. It lays a grid of cells of side
//! [`DStarLite::resolution`] over a fixed extent, and cells beyond the extent are never entered, so
//! the extent must hold every route. With the bounds known, the extent is their box plus
//! [`BOX_PAD_CELLS`] cell on each side (grown, if need be, to hold the start and goal): every route
//! lies in the world, and cells outside it must not exist, because they are assumed free like any
//! other. A square holding the whole world from any start and goal (up to twice its diagonal a
//! side) gave free-space planning a wide free ring round the outside of the maze: in a perfect maze
//! the agent went round the outside, touching the outer wall cell by cell, instead of through the
//! corridors, and solved fewer mazes. The grid's origin is the box's corner less the padding, so
//! when the resolution divides the map's 1 m cells (0.5, 0.25, 0.1 or 0.05 m) no grid cell
//! straddles a wall face; at 0.5 m that decides (on the built-in mazes, 600 of 600 trials solved
//! against 192 with the same grid shifted by 0.13 m). Without bounds (an agent built by
//! [`DStarLite::new`]) the extent is the square centred between the first start and the goal whose
//! half-side is half their distance plus [`DStarLite::margin`] (24 m by default). That is enough
//! round the built-in mazes, but not on generated mazes whose route leads far from both ends (down
//! a long zig-zag whose start and goal are both at the top, or out of a large bug trap's cup):
//! there the goal looked cut off again and again, and every reset led back to the same walls.
//!
//! Every cell is assumed free (the free-space assumption) until touch reveals otherwise: when the
//! ball is in contact, the point `position - normal * (BALL_RADIUS + probe_depth)`, just inside the
//! wall, marks its cell blocked, and so do the points at the same distance 45 degrees to either
//! side of the inward normal: at an inner corner the sensed normal is the sum of the two walls'
//! normals and the side probes are the ones that land in each wall (on a flat wall they land just
//! inside it too; at an outer corner they may mark a cell that lies within a few centimetres of
//! the wall face, which the ball's radius makes nearly useless anyway). The cells whose centre the
//! ball cannot reach are marked too: every cell whose centre lies less than the ball's radius from
//! the touched point `position - normal * BALL_RADIUS` (on a flat wall the contact point, at an
//! outer corner the corner; at a right-angled inner corner a point just in front of both walls,
//! whose disc still holds no point the centre can reach). With cells of at most twice the radius
//! (0.2 m) and grid lines on the wall faces, as the world's bounds give at 0.1 and 0.05 m, a whole
//! row of cells lies between a face and the nearest centre the ball can reach; the probes, 5 cm
//! inside the wall, never mark it, so the planner routed along it and drove the ball into inner
//! corners it could not enter (at 0.1 m on the built-in mazes 495 of 600 trials solved, 600 with
//! the row marked). On such a grid with coarser cells every centre lies more than the radius from
//! the touched point and nothing more is marked. The goal's cell is never marked: the goal is
//! known to be free. A probe may mark the ball's own cell (the wall surface
//! crosses it); the search then starts from the free neighbour nearest the ball, as planners do
//! for a start inside an obstacle, and in contact only from a neighbour on the side away from the
//! wall (its centre within 60 degrees of the contact normal). Without that condition the nearest
//! free neighbour of a ball in an inner corner, or beside a wrongly marked cell on a flat wall,
//! can be a cell behind the wall that no probe reaches (it is farther than the probe's depth): the
//! ball pressed against the wall for ever.
//!
//! The search runs backwards from the goal over the 8-connected grid (straight cost 1000, diagonal
//! 1414, octile heuristic; a diagonal move needs both cells beside it free; entering a blocked cell
//! costs infinity). When cells are blocked only the vertices whose outgoing edges changed are
//! updated and `ComputeShortestPath` repairs the previous search instead of starting over. The ball
//! follows the greedy descent of `g` from its cell, smoothed by string pulling over cells known free
//! (with the ball's radius as clearance), with the shared controller.
//!
//! What the grid learns persists across trials of the same task; a new goal starts a new grid. If
//! the known cells ever cut the goal off (a cell marked in error, or a world that changed), the
//! agent forgets every blocked cell and starts again, which keeps it complete on finite mazes.
//! Cells are only ever marked blocked, never freed, so a shortcut that opens later is only found
//! after such a reset.
//!
//! The priority queue is a `BTreeSet` of integer keys: ties break by cell index, so a run is a
//! deterministic function of its observations.
//!
//! The grid has at most [`MAX_GRID_CELLS`] cells (about 41 bytes each). [`DStarLite::for_world`]
//! checks, before anything is allocated, that the world's box fits at the resolution asked for,
//! and returns [`DStarError::GridTooLarge`] otherwise; an agent that meets a task too large for the
//! limit anyway (one built by [`DStarLite::new`], or a start or goal far outside the bounds) makes
//! no grid and stays put.

use crate::path::PathFollower;
use sns_core::control::{ControlParams, Controller};
use sns_core::{Agent, MazeAgent};
use sns_worlds::physics::BALL_RADIUS;
use sns_worlds::{Observation, Real, Vec2};
use std::collections::BTreeSet;
use thiserror::Error;

/// The most cells a D* Lite grid may have: 2^22, about 170 MB of search state. At the default
/// 0.25 m this fits square worlds up to about 510 m a side (a map of 2001 x 2001 cells, the
/// largest generated perfect maze, needs 0.98 m); at the finest resolution the harness allows,
/// 0.05 m, up to about 102 m a side.
pub const MAX_GRID_CELLS: u64 = 1 << 22;

/// Cells of the grid beyond the world's bounds on each side (see the module docs): enough that the
/// box's own edges lie inside the grid, and no ring of free space round the world.
pub const BOX_PAD_CELLS: u64 = 1;

/// Why a D* Lite agent cannot be built.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum DStarError {
    /// The resolution is not a positive finite number.
    #[error("dstar resolution {0} m is not a positive number")]
    BadResolution(Real),
    /// The world's bounds are not finite.
    #[error("dstar: the world's bounds ({0:?}, {1:?}) are not finite")]
    BadBounds(Vec2, Vec2),
    /// The grid for this world would exceed [`MAX_GRID_CELLS`].
    #[error("dstar:{resolution} on a world of {width:.0} x {height:.0} m needs a grid of {cells} cells, more than the limit of {limit}; use a resolution of at least {shown:.2} m", shown = (.coarsest * 100.0).ceil() / 100.0)]
    GridTooLarge {
        /// The resolution asked for, in metres.
        resolution: Real,
        /// The world's width (along x), in metres.
        width: Real,
        /// The world's height (along y), in metres.
        height: Real,
        /// Cells the grid would need.
        cells: u64,
        /// [`MAX_GRID_CELLS`].
        limit: u64,
        /// The finest resolution that fits, in metres (the message rounds it up to a centimetre).
        coarsest: Real,
    },
}

/// Cells along one side `len` metres long of the world's box, padding included (see
/// [`Grid::new`]; the check and the grid use this one expression, so they agree to the cell).
fn box_side(len: Real, res: Real) -> u64 {
    let n = (len.max(0.0) / res).ceil();
    if n.is_finite() && n < u32::MAX as Real {
        (n as u64 + 2 * BOX_PAD_CELLS).max(3)
    } else {
        u64::MAX / 2
    }
}

/// Cells of the grid over a box of `width x height` metres.
fn box_cells(width: Real, height: Real, res: Real) -> u64 {
    box_side(width, res).saturating_mul(box_side(height, res))
}

/// The finest resolution at which the grid over a box of `width x height` (finite) metres fits in
/// [`MAX_GRID_CELLS`], given that `res` does not: bisection between `res` and a resolution that
/// fits (the cell count only falls as the resolution grows).
fn coarsest_fitting(width: Real, height: Real, res: Real) -> Real {
    let fits = |r: Real| box_cells(width, height, r) <= MAX_GRID_CELLS;
    let (mut lo, mut hi) = (res, res);
    while !fits(hi) {
        lo = hi;
        hi *= 2.0;
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if fits(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// Cells a side of the square grid for a start and goal `dist` apart, when the world's bounds are
/// not known (see [`Grid::new`]).
fn grid_side(dist: Real, res: Real, margin: Real) -> u64 {
    // The same expression as the grid's own, so that the check and the grid agree to the cell.
    let n = (2.0 * (dist / 2.0 + margin) / res).ceil();
    if n.is_finite() && n < u32::MAX as Real {
        (n as u64).max(3)
    } else {
        u64::MAX / 2
    }
}

/// Cost of an unreachable cell.
const INF: u64 = u64::MAX / 4;
/// Cost of a straight move between neighbouring cells.
const STRAIGHT: u64 = 1000;
/// Cost of a diagonal move (1000 sqrt 2, rounded down so that the octile heuristic stays consistent).
const DIAGONAL: u64 = 1414;

type Key = (u64, u64);

/// The occupancy grid and the D* Lite search state.
#[derive(Debug, Clone)]
struct Grid {
    origin: Vec2,
    res: Real,
    nx: usize,
    ny: usize,
    blocked: Vec<bool>,
    g: Vec<u64>,
    rhs: Vec<u64>,
    queued: Vec<Option<Key>>,
    open: BTreeSet<(Key, usize)>,
    km: u64,
    start: usize,
    last: usize,
    goal: usize,
    goal_pos: Vec2,
}

impl Grid {
    /// The grid for a task, or `None` when it would have more than [`MAX_GRID_CELLS`] cells. With
    /// the world's `bounds` (lower-left and upper-right corners) it covers their box, grown to hold
    /// the start and goal, plus [`BOX_PAD_CELLS`] on each side; without, the square centred between
    /// start and goal with half-side half their distance plus `margin`.
    fn new(
        start: Vec2,
        goal: Vec2,
        res: Real,
        margin: Real,
        bounds: Option<(Vec2, Vec2)>,
    ) -> Option<Grid> {
        let (origin, nx, ny) = match bounds {
            Some((min, max)) => {
                let lo = Vec2::new(
                    min.x.min(start.x).min(goal.x),
                    min.y.min(start.y).min(goal.y),
                );
                let hi = Vec2::new(
                    max.x.max(start.x).max(goal.x),
                    max.y.max(start.y).max(goal.y),
                );
                let pad = BOX_PAD_CELLS as Real * res;
                (
                    lo - Vec2::new(pad, pad),
                    box_side(hi.x - lo.x, res),
                    box_side(hi.y - lo.y, res),
                )
            }
            None => {
                let half = start.dist(goal) / 2.0 + margin;
                let side = grid_side(start.dist(goal), res, margin);
                ((start + goal) * 0.5 - Vec2::new(half, half), side, side)
            }
        };
        if nx.saturating_mul(ny) > MAX_GRID_CELLS {
            return None;
        }
        let (nx, ny) = (nx as usize, ny as usize);
        let mut grid = Grid {
            origin,
            res,
            nx,
            ny,
            blocked: vec![false; nx * ny],
            g: vec![INF; nx * ny],
            rhs: vec![INF; nx * ny],
            queued: vec![None; nx * ny],
            open: BTreeSet::new(),
            km: 0,
            start: 0,
            last: 0,
            goal: 0,
            goal_pos: goal,
        };
        grid.goal = grid.cell_of(goal);
        grid.start = grid.cell_of(start);
        grid.last = grid.start;
        grid.reset_search();
        Some(grid)
    }

    /// Forgets the search (not the blocked cells) and seeds it from the goal.
    fn reset_search(&mut self) {
        self.g.fill(INF);
        self.rhs.fill(INF);
        self.queued.fill(None);
        self.open.clear();
        self.km = 0;
        self.last = self.start;
        self.rhs[self.goal] = 0;
        let k = self.key(self.goal);
        self.push(self.goal, k);
    }

    fn cell_of(&self, p: Vec2) -> usize {
        let (ix, iy) = self.index_of(p);
        iy * self.nx + ix
    }

    /// The column and row of the cell containing `p`, clamped to the extent.
    fn index_of(&self, p: Vec2) -> (usize, usize) {
        let ix = ((p.x - self.origin.x) / self.res).floor();
        let iy = ((p.y - self.origin.y) / self.res).floor();
        (
            ix.clamp(0.0, (self.nx - 1) as Real) as usize,
            iy.clamp(0.0, (self.ny - 1) as Real) as usize,
        )
    }

    /// The cell containing `p`, or `None` outside the extent.
    fn cell_in(&self, p: Vec2) -> Option<usize> {
        let ix = ((p.x - self.origin.x) / self.res).floor();
        let iy = ((p.y - self.origin.y) / self.res).floor();
        let inside = ix >= 0.0 && iy >= 0.0 && ix < self.nx as Real && iy < self.ny as Real;
        inside.then(|| iy as usize * self.nx + ix as usize)
    }

    fn centre(&self, c: usize) -> Vec2 {
        let (ix, iy) = (c % self.nx, c / self.nx);
        self.origin + Vec2::new((ix as Real + 0.5) * self.res, (iy as Real + 0.5) * self.res)
    }

    /// Neighbours of `c` with the cost of moving there (`INF` when blocked or cutting a corner).
    fn successors(&self, c: usize) -> impl Iterator<Item = (usize, u64)> + '_ {
        let (ix, iy) = ((c % self.nx) as i64, (c / self.nx) as i64);
        const DIRS: [(i64, i64); 8] = [
            (1, 0),
            (-1, 0),
            (0, 1),
            (0, -1),
            (1, 1),
            (1, -1),
            (-1, 1),
            (-1, -1),
        ];
        DIRS.iter().filter_map(move |&(dx, dy)| {
            let idx = |x: i64, y: i64| -> Option<usize> {
                (x >= 0 && y >= 0 && (x as usize) < self.nx && (y as usize) < self.ny)
                    .then(|| y as usize * self.nx + x as usize)
            };
            let n = idx(ix + dx, iy + dy)?;
            let cost = if self.blocked[n] {
                INF
            } else if dx != 0 && dy != 0 {
                let flank_a = idx(ix + dx, iy).map_or(true, |f| self.blocked[f]);
                let flank_b = idx(ix, iy + dy).map_or(true, |f| self.blocked[f]);
                if flank_a || flank_b {
                    INF
                } else {
                    DIAGONAL
                }
            } else {
                STRAIGHT
            };
            Some((n, cost))
        })
    }

    fn h(&self, a: usize, b: usize) -> u64 {
        let dx = (a % self.nx).abs_diff(b % self.nx) as u64;
        let dy = (a / self.nx).abs_diff(b / self.nx) as u64;
        DIAGONAL * dx.min(dy) + STRAIGHT * (dx.max(dy) - dx.min(dy))
    }

    fn key(&self, s: usize) -> Key {
        let m = self.g[s].min(self.rhs[s]);
        (
            m.saturating_add(self.h(self.start, s))
                .saturating_add(self.km),
            m,
        )
    }

    fn push(&mut self, s: usize, k: Key) {
        self.remove(s);
        self.open.insert((k, s));
        self.queued[s] = Some(k);
    }

    fn remove(&mut self, s: usize) {
        if let Some(k) = self.queued[s].take() {
            self.open.remove(&(k, s));
        }
    }

    fn update_vertex(&mut self, u: usize) {
        if u != self.goal {
            let best = self
                .successors(u)
                .map(|(s, c)| c.saturating_add(self.g[s]).min(INF))
                .min()
                .unwrap_or(INF);
            self.rhs[u] = best;
        }
        self.remove(u);
        if self.g[u] != self.rhs[u] {
            let k = self.key(u);
            self.push(u, k);
        }
    }

    fn compute_shortest_path(&mut self) {
        while let Some(&(k_old, u)) = self.open.first() {
            let start_key = self.key(self.start);
            if k_old >= start_key && self.rhs[self.start] == self.g[self.start] {
                break;
            }
            let k_new = self.key(u);
            if k_old < k_new {
                self.push(u, k_new);
            } else if self.g[u] > self.rhs[u] {
                self.g[u] = self.rhs[u];
                self.remove(u);
                self.update_neighbours(u);
            } else {
                self.g[u] = INF;
                self.update_vertex(u);
                self.update_neighbours(u);
            }
        }
    }

    /// Updates the predecessors of `u` (on this undirected grid, its neighbours).
    fn update_neighbours(&mut self, u: usize) {
        let ns: Vec<usize> = self.successors(u).map(|(n, _)| n).collect();
        for n in ns {
            self.update_vertex(n);
        }
    }

    /// Moves the search start to the ball's cell, keeping the keys valid (`k_m += h(last, start)`).
    fn move_start(&mut self, c: usize) {
        if c != self.start {
            self.start = c;
            self.km = self.km.saturating_add(self.h(self.last, self.start));
            self.last = self.start;
        }
    }

    /// Marks `c` blocked; returns whether it was news.
    fn block(&mut self, c: usize) -> bool {
        if self.blocked[c] || c == self.goal {
            return false;
        }
        self.blocked[c] = true;
        // Every edge whose cost changed leaves a neighbour of `c` (into `c`, or diagonally past it).
        self.update_neighbours(c);
        true
    }

    /// Marks every cell whose centre lies less than `radius` from `point` (by more than a
    /// nanometre, so that rounding does not decide a centre at exactly `radius`); returns how many
    /// were news.
    fn block_near(&mut self, point: Vec2, radius: Real) -> usize {
        let r = radius - 1e-9;
        if r.is_nan() || r <= 0.0 {
            return 0;
        }
        let (x0, y0) = self.index_of(point - Vec2::new(r, r));
        let (x1, y1) = self.index_of(point + Vec2::new(r, r));
        let mut news = 0;
        for iy in y0..=y1 {
            for ix in x0..=x1 {
                let c = iy * self.nx + ix;
                if self.centre(c).dist(point) < r && self.block(c) {
                    news += 1;
                }
            }
        }
        news
    }

    /// Up to `max` cells of the current best path from the start (the start first).
    fn path(&self, max: usize) -> Vec<usize> {
        let mut path = vec![self.start];
        let mut cur = self.start;
        while cur != self.goal && path.len() < max {
            let best = self
                .successors(cur)
                .map(|(s, c)| (c.saturating_add(self.g[s]), s))
                .min();
            match best {
                Some((cost, s)) if cost < INF => {
                    path.push(s);
                    cur = s;
                }
                _ => break,
            }
        }
        path
    }

    /// Whether a ball of radius `clearance` can move from `a` to `b` through cells not known blocked;
    /// samples within `skip` of `a` are checked without clearance (the ball is already there).
    fn clear(&self, a: Vec2, b: Vec2, clearance: Real, skip: Real) -> bool {
        let d = b - a;
        let len = d.norm();
        let n = (len / (self.res * 0.25)).ceil().max(1.0) as usize;
        let side = d.normalized().perp() * clearance;
        for i in 0..=n {
            let p = a + d * (i as Real / n as Real);
            let offsets: &[Vec2] = if len * (i as Real / n as Real) < skip {
                &[Vec2::ZERO]
            } else {
                &[Vec2::ZERO, side, side * -1.0]
            };
            for o in offsets {
                match self.cell_in(p + *o) {
                    Some(c) if !self.blocked[c] => {}
                    _ => return false,
                }
            }
        }
        true
    }
}

/// The D* Lite agent.
#[derive(Debug, Clone)]
pub struct DStarLite {
    /// Side of a grid cell in metres. Default 0.25.
    pub resolution: Real,
    /// Extent of the grid beyond the start and goal, in metres, when the world's bounds are not
    /// known. Default 24.
    pub margin: Real,
    /// How far inside the wall the touch probe marks a cell, in metres. Default 0.05.
    pub probe_depth: Real,
    /// Cells of the planned path considered when smoothing. Default 64.
    pub lookahead: usize,
    /// The world's bounds (lower-left and upper-right corners of the map's box), over which the
    /// grid is laid (see the module docs). [`DStarLite::for_world`] sets them; [`DStarLite::new`]
    /// leaves `None`, and the grid is the start and goal's square plus [`DStarLite::margin`].
    pub bounds: Option<(Vec2, Vec2)>,
    ctrl: Controller,
    grid: Option<Grid>,
    goal: Option<Vec2>,
    replans: u64,
}

impl DStarLite {
    /// A D* Lite agent on a grid of `resolution` metres laid over a world whose points lie in the
    /// box of corners `min` and `max` (a map's [`MazeMap::bounds`](sns_worlds::MazeMap::bounds);
    /// the two corners may come in either order), checked against [`MAX_GRID_CELLS`] before any
    /// grid is allocated.
    pub fn for_world(
        resolution: Real,
        control: ControlParams,
        min: Vec2,
        max: Vec2,
    ) -> Result<Self, DStarError> {
        if !(resolution.is_finite() && resolution > 0.0) {
            return Err(DStarError::BadResolution(resolution));
        }
        if !(min.is_finite() && max.is_finite()) {
            return Err(DStarError::BadBounds(min, max));
        }
        let (lo, hi) = (
            Vec2::new(min.x.min(max.x), min.y.min(max.y)),
            Vec2::new(min.x.max(max.x), min.y.max(max.y)),
        );
        let (width, height) = (hi.x - lo.x, hi.y - lo.y);
        let cells = box_cells(width, height, resolution);
        if cells > MAX_GRID_CELLS {
            return Err(DStarError::GridTooLarge {
                resolution,
                width,
                height,
                cells,
                limit: MAX_GRID_CELLS,
                coarsest: coarsest_fitting(width, height, resolution),
            });
        }
        let mut agent = DStarLite::new(resolution, control);
        agent.bounds = Some((lo, hi));
        Ok(agent)
    }

    /// A D* Lite agent on a grid of `resolution` metres (not checked: see
    /// [`DStarLite::for_world`]).
    pub fn new(resolution: Real, control: ControlParams) -> Self {
        DStarLite {
            resolution,
            margin: 24.0,
            probe_depth: 0.05,
            lookahead: 64,
            bounds: None,
            ctrl: Controller::new(control),
            grid: None,
            goal: None,
            replans: 0,
        }
    }

    /// Cells known blocked (for tests and plots).
    pub fn blocked_cells(&self) -> usize {
        self.grid
            .as_ref()
            .map_or(0, |g| g.blocked.iter().filter(|b| **b).count())
    }

    /// How many times the agent forgot its grid because the goal was cut off.
    pub fn replans_from_scratch(&self) -> u64 {
        self.replans
    }

    fn ensure_grid(&mut self, obs: &Observation) {
        if obs.goal != self.goal || self.grid.is_none() {
            self.goal = obs.goal;
            self.grid = obs.goal.and_then(|g| {
                Grid::new(obs.position, g, self.resolution, self.margin, self.bounds)
            });
        }
    }

    /// Smoothed waypoints ahead: the ball's position, then up to three string-pulled points.
    fn waypoints(grid: &Grid, p: Vec2, cells: &[usize]) -> (Vec<Vec2>, bool) {
        let reaches_goal = cells.last() == Some(&grid.goal);
        let pts: Vec<Vec2> = cells
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                if reaches_goal && i + 1 == cells.len() {
                    grid.goal_pos
                } else {
                    grid.centre(c)
                }
            })
            .collect();
        let mut out = vec![p];
        let mut anchor = p;
        let mut i = 0;
        let mut skip = BALL_RADIUS * 1.5;
        while out.len() < 4 && i + 1 < pts.len() {
            let mut j = i + 1;
            for k in (i + 1..pts.len()).rev() {
                if grid.clear(anchor, pts[k], BALL_RADIUS, skip) {
                    j = k;
                    break;
                }
            }
            out.push(pts[j]);
            anchor = pts[j];
            i = j;
            skip = 0.0;
        }
        let last_is_goal = reaches_goal && i + 1 == pts.len();
        (out, last_is_goal)
    }
}

impl Agent<Observation, Vec2> for DStarLite {
    fn name(&self) -> &str {
        "dstar"
    }

    fn begin_trial(&mut self, obs: &Observation) {
        self.ensure_grid(obs);
    }

    fn act(&mut self, obs: &Observation) -> Vec2 {
        self.ctrl.observe(obs);
        self.ensure_grid(obs);
        let p = obs.position;
        let Some(grid) = self.grid.as_mut() else {
            // D* Lite needs a goal; in search mode it stays put.
            return self.ctrl.track_velocity(obs, Vec2::ZERO);
        };
        if obs.success {
            return self.ctrl.track_velocity(obs, Vec2::ZERO);
        }
        if obs.contact {
            // Three probes: along the normal and 45 degrees to either side of it. At an inner
            // corner the sensed normal is the sum of the two walls' normals, and the side probes
            // are the ones that reach into each wall.
            let inward = obs.contact_normal * -1.0;
            let quarter = std::f64::consts::FRAC_PI_4;
            let depth = BALL_RADIUS + self.probe_depth;
            for dir in [inward, inward.rotated(quarter), inward.rotated(-quarter)] {
                if let Some(c) = grid.cell_in(p + dir * depth) {
                    grid.block(c);
                }
            }
            // And the cells the ball's centre cannot reach: those whose centre lies within the
            // ball's radius of the touched point. On fine cells (0.1 m) with grid lines on the
            // faces, the row beside the wall is such, and no probe reaches it.
            grid.block_near(p - obs.contact_normal * BALL_RADIUS, BALL_RADIUS);
        }
        // When the wall surface crosses the ball's own cell, that cell is blocked and the search
        // starts from the free neighbour nearest to the ball, as a planner does for a start inside
        // an obstacle. In contact, only the neighbours on the free side of the wall count (their
        // centres within 60 degrees of the contact normal): otherwise the nearest free neighbour
        // may lie behind the wall (in an inner corner, the cell diagonally behind both walls), a
        // cell no probe reaches, and driving toward it pressed the ball against the wall for ever.
        // Without contact (or with no such neighbour) the nearest free neighbour will do: if it is
        // behind a wall, the ball touches that wall on its way and the rule above applies.
        let own = grid.cell_of(p);
        let start = if grid.blocked[own] {
            let nearest = |free_side: bool| {
                grid.successors(own)
                    .map(|(c, _)| c)
                    .filter(|&c| !grid.blocked[c])
                    .filter(|&c| {
                        !free_side
                            || (grid.centre(c) - p).normalized().dot(obs.contact_normal) > 0.5
                    })
                    .min_by(|&a, &b| {
                        grid.centre(a)
                            .dist(p)
                            .total_cmp(&grid.centre(b).dist(p))
                            .then(a.cmp(&b))
                    })
            };
            obs.contact
                .then(|| nearest(true))
                .flatten()
                .or_else(|| nearest(false))
                .unwrap_or(own)
        } else {
            own
        };
        grid.move_start(start);
        grid.compute_shortest_path();
        if grid.g[grid.start] >= INF && grid.rhs[grid.start] >= INF {
            // The known cells cut the goal off: forget them and start over.
            grid.blocked.fill(false);
            grid.reset_search();
            grid.compute_shortest_path();
            self.replans += 1;
        }
        let cells = grid.path(self.lookahead);
        let (wps, ends_at_goal) = Self::waypoints(grid, p, &cells);
        let final_speed = if ends_at_goal {
            self.ctrl.params.cruise_speed
        } else {
            0.0
        };
        PathFollower::new(wps).act(obs, &mut self.ctrl, final_speed)
    }

    fn end_trial(&mut self, _success: bool) {}
}

/// Reports nothing beyond its actions (no graph, no substrate).
impl MazeAgent for DStarLite {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incremental_repair_matches_a_fresh_search() {
        // Cells blocked one at a time while the start moves along the path: after every repair the
        // start's cost equals that of a search from scratch on the same cells.
        let mut g = Grid::new(Vec2::new(0.0, 0.0), Vec2::new(3.0, 0.5), 0.25, 1.0, None)
            .expect("a small grid");
        g.compute_shortest_path();
        let mut x: u64 = 12345;
        for step in 0..200 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let c = (x >> 33) as usize % g.blocked.len();
            g.block(c);
            if step % 7 == 0 {
                let next = g.path(3);
                if let Some(&n) = next.get(1) {
                    g.move_start(n);
                }
            }
            g.compute_shortest_path();
            let mut fresh = g.clone();
            fresh.reset_search();
            fresh.compute_shortest_path();
            assert_eq!(
                g.g[g.start].min(g.rhs[g.start]),
                fresh.g[fresh.start],
                "step {step}"
            );
        }
    }

    #[test]
    fn free_grid_plans_the_octile_line_and_repairs_around_a_wall() {
        let mut g = Grid::new(Vec2::new(0.0, 0.0), Vec2::new(2.0, 0.0), 0.25, 1.0, None)
            .expect("a small grid");
        g.compute_shortest_path();
        let straight = g.g[g.start];
        assert_eq!(straight, 8 * STRAIGHT);
        // A wall across the line: the repaired cost goes round it and matches a fresh search.
        let x = g.origin.x;
        let wall: Vec<usize> = (-3..=3)
            .map(|k| g.cell_of(Vec2::new(1.1, 0.1 + 0.25 * k as Real)))
            .collect();
        for c in &wall {
            g.block(*c);
        }
        g.compute_shortest_path();
        let repaired = g.g[g.start];
        let mut fresh = Grid::new(Vec2::new(0.0, 0.0), Vec2::new(2.0, 0.0), 0.25, 1.0, None)
            .expect("a small grid");
        for c in &wall {
            fresh.blocked[*c] = true;
        }
        fresh.reset_search();
        fresh.compute_shortest_path();
        assert!(repaired > straight, "{repaired} {straight} {x}");
        assert_eq!(repaired, fresh.g[fresh.start]);
        let path = g.path(1000);
        assert_eq!(path.last(), Some(&g.goal));
        assert!(path.iter().all(|c| !g.blocked[*c]));
    }

    #[test]
    fn a_grid_beyond_the_cell_limit_is_refused_before_allocation() {
        let control = ControlParams::default();
        let giant = (Vec2::new(-8.0, -6.0), Vec2::new(8.0, 6.0));
        // giant is 16x12 m: 0.05 m fits; a 2000 x 1000 m world at 0.05 m would need 8e8 cells.
        assert!(DStarLite::for_world(0.05, control, giant.0, giant.1).is_ok());
        let (min, max) = (Vec2::new(-1000.0, -500.0), Vec2::new(1000.0, 500.0));
        let e = DStarLite::for_world(0.05, control, min, max).expect_err("too large");
        let DStarError::GridTooLarge {
            cells,
            coarsest,
            width,
            height,
            ..
        } = e.clone()
        else {
            panic!("{e:?}")
        };
        assert_eq!((width, height), (2000.0, 1000.0));
        assert!(cells > MAX_GRID_CELLS, "{cells}");
        // The corners in either order; the finest resolution that fits is named, rounded up.
        assert!(DStarLite::for_world(coarsest * 1.001, control, max, min).is_ok());
        assert!(DStarLite::for_world(coarsest * 0.99, control, min, max).is_err());
        let shown = (coarsest * 100.0).ceil() / 100.0;
        assert!(DStarLite::for_world(shown, control, min, max).is_ok());
        assert!(
            e.to_string().contains(&format!("at least {shown:.2} m")),
            "{e}"
        );
        assert!(e.to_string().contains("2000 x 1000 m"), "{e}");
        assert_eq!(e.to_string().lines().count(), 1);
        for bad in [0.0, -1.0, Real::NAN, Real::INFINITY] {
            assert!(matches!(
                DStarLite::for_world(bad, control, giant.0, giant.1),
                Err(DStarError::BadResolution(_))
            ));
        }
        for bad in [Real::NAN, Real::INFINITY] {
            assert!(matches!(
                DStarLite::for_world(0.25, control, Vec2::new(bad, 0.0), giant.1),
                Err(DStarError::BadBounds(..))
            ));
        }
        // An unchecked agent given a task too far apart makes no grid (instead of allocating it)
        // and stays put.
        let mut d = DStarLite::new(0.05, control);
        let obs = Observation {
            position: Vec2::new(-1000.0, -1000.0),
            velocity: Vec2::ZERO,
            contact: false,
            contact_normal: Vec2::ZERO,
            goal: Some(Vec2::new(1000.0, 1000.0)),
            success: false,
        };
        d.begin_trial(&obs);
        assert!(d.grid.is_none());
        assert_eq!(d.act(&obs).norm(), 0.0);
    }

    #[test]
    fn the_touched_point_marks_the_cells_the_ball_cannot_reach_and_no_others() {
        // Walls on x < 0 (and, for the inner corner, y < 0), with grid lines on their faces, as
        // the world's bounds lay them. The ball's centre can stand only where x >= R (and y >= R).
        let r = BALL_RADIUS;
        let cases = [
            (Vec2::new(0.1, 0.03), Vec2::new(1.0, 0.0), false),
            (Vec2::new(0.1, 0.1), Vec2::new(1.0, 1.0).normalized(), true),
        ];
        for res in [0.05, 0.1, 0.25, 0.5] {
            for (p, n, corner) in cases {
                let (min, max) = (Vec2::new(-2.0, -2.0), Vec2::new(2.0, 2.0));
                let mut g = Grid::new(p, Vec2::new(1.5, 1.5), res, 24.0, Some((min, max)))
                    .expect("a small grid");
                g.compute_shortest_path();
                g.block_near(p - n * r, r);
                let reachable = |c: Vec2| c.x >= r && (!corner || c.y >= r);
                let marked: Vec<Vec2> = (0..g.blocked.len())
                    .filter(|&c| g.blocked[c])
                    .map(|c| g.centre(c))
                    .collect();
                for c in &marked {
                    assert!(!reachable(*c), "res {res} {p:?}: marked {c:?}");
                }
                if res <= 2.0 * r {
                    // The row between the face and the ball, beside the contact, is marked.
                    let y = if corner { 0.5 * res } else { p.y };
                    let beside = g.cell_of(Vec2::new(0.5 * res, y));
                    assert!(g.blocked[beside], "res {res} {p:?}: {marked:?}");
                    // The ball's side of it is not.
                    let free = g.cell_of(Vec2::new(p.x + 0.5 * res, p.y + 0.5 * res));
                    assert!(!g.blocked[free], "res {res} {p:?}: {marked:?}");
                } else {
                    assert!(marked.is_empty(), "res {res} {p:?}: {marked:?}");
                }
            }
        }
    }

    #[test]
    fn with_bounds_the_grid_is_the_world_box_and_nothing_round_it() {
        // A world of 7 x 5 m whose start and goal are close together at its top: the grid covers
        // the whole box (the route may lead to its far end), plus one cell on each side and no
        // more (no ring of free space round the world).
        let (min, max) = (Vec2::new(-3.5, -2.5), Vec2::new(3.5, 2.5));
        let (start, goal) = (Vec2::new(-3.0, 2.0), Vec2::new(-2.0, 2.0));
        let g = Grid::new(start, goal, 0.25, 24.0, Some((min, max))).expect("a small grid");
        assert_eq!((g.nx, g.ny), (7 * 4 + 2, 5 * 4 + 2));
        assert_eq!(g.origin, Vec2::new(-3.75, -2.75));
        for corner in [min, max, Vec2::new(min.x, max.y), Vec2::new(max.x, min.y)] {
            assert!(g.cell_in(corner).is_some(), "{corner:?}");
        }
        for outside in [min - Vec2::new(0.3, 0.0), max + Vec2::new(0.0, 0.3)] {
            assert!(g.cell_in(outside).is_none(), "{outside:?}");
        }
        // The square of the same task with a 1 m margin misses the bottom of the world.
        let sq = Grid::new(start, goal, 0.25, 1.0, None).expect("a small grid");
        assert!(sq.cell_in(Vec2::new(-3.0, -2.0)).is_none());
        assert!(g.cell_in(Vec2::new(-3.0, -2.0)).is_some());
        // A start or goal outside the bounds grows the box to hold it.
        let far = Grid::new(start, Vec2::new(6.0, 0.0), 0.25, 24.0, Some((min, max)))
            .expect("a small grid");
        assert_eq!((far.nx, far.ny), (38 + 2, 5 * 4 + 2));
        assert!(far.cell_in(Vec2::new(6.0, 0.0)).is_some());
        // The agent built for the world lays that grid at its first trial.
        let mut d = DStarLite::for_world(0.25, ControlParams::default(), min, max).expect("fits");
        d.begin_trial(&Observation {
            position: start,
            velocity: Vec2::ZERO,
            contact: false,
            contact_normal: Vec2::ZERO,
            goal: Some(goal),
            success: false,
        });
        let grid = d.grid.as_ref().expect("a grid");
        assert_eq!((grid.nx, grid.ny, grid.origin), (g.nx, g.ny, g.origin));
    }
}
