//! The oracle: it knows the map and follows the exact shortest path with the shared controller.
//!
//! It gives the best achievable steps and path length for the body and controller every agent
//! shares, so the gap between another agent and the oracle is what that agent loses by not
//! knowing the map. The path is [`sns_worlds::oracle::shortest_path`] (a visibility graph in
//! configuration space) from the ball's position to the goal; it is planned at the start of every
//! trial and whenever the map it is shown through a [`LiveMap`] changes (a changing-world
//! scenario), so the oracle knows the map at every moment, not only at the start. Plans are kept
//! by map version, start and goal: a trial that starts where an earlier one did, on the same map,
//! reuses its path instead of searching again.

use crate::path::PathFollower;
use sns_core::control::{ControlParams, Controller};
use sns_core::{Agent, MazeAgent};
use sns_worlds::oracle::shortest_path;
use sns_worlds::physics::BALL_RADIUS;
use sns_worlds::{MazeMap, Observation, Vec2};
use std::sync::{Arc, Mutex};

/// The true map as the world changes it, shared by the harness (which writes) and the oracle
/// (which reads); each write bumps a version so that the oracle replans only on change.
#[derive(Debug, Clone)]
pub struct LiveMap(Arc<Mutex<(u64, MazeMap)>>);

impl LiveMap {
    /// The map at version 0.
    pub fn new(map: MazeMap) -> Self {
        LiveMap(Arc::new(Mutex::new((0, map))))
    }

    /// Replaces the map (the world changed).
    pub fn set(&self, map: MazeMap) {
        // A poisoned lock only means another thread panicked mid-write; the map is still whole.
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        g.0 += 1;
        g.1 = map;
    }

    /// The current version (0 at the start, one more for every [`LiveMap::set`]).
    pub fn version(&self) -> u64 {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).0
    }

    /// The map and its version, when newer than `seen`.
    pub fn newer_than(&self, seen: Option<u64>) -> Option<(u64, MazeMap)> {
        let g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        (seen != Some(g.0)).then(|| (g.0, g.1.clone()))
    }
}

/// How many plans the oracle keeps (the start of the trials, and a few replans mid-trial).
const PLAN_CACHE: usize = 4;

/// What a plan was made for: the map version, and the exact bits of the ball's position, its
/// contact normal (the search may start off the wall along it) and the goal.
type PlanKey = (u64, [u64; 6]);

/// The map-knowing shortest-path follower.
#[derive(Debug, Clone)]
pub struct Oracle {
    map: LiveMap,
    version: Option<u64>,
    /// Recent plans, newest last (`None`: no path from there).
    plans: Vec<(PlanKey, Option<Vec<Vec2>>)>,
    searches: u64,
    known: Option<MazeMap>,
    path: Option<PathFollower>,
    goal: Option<Vec2>,
    ctrl: Controller,
}

impl Oracle {
    /// An oracle that reads the true map from `map`.
    pub fn new(map: LiveMap, control: ControlParams) -> Self {
        Oracle {
            map,
            version: None,
            plans: Vec::new(),
            searches: 0,
            known: None,
            path: None,
            goal: None,
            ctrl: Controller::new(control),
        }
    }

    /// The waypoints being followed (for tests and plots).
    pub fn waypoints(&self) -> Option<&[Vec2]> {
        self.path.as_ref().map(|p| p.waypoints())
    }

    /// How many shortest-path searches the oracle has made (a cached plan costs none).
    pub fn searches(&self) -> u64 {
        self.searches
    }

    fn replan(&mut self, obs: &Observation) {
        let (Some(map), Some(goal), Some(version)) = (self.known.as_ref(), obs.goal, self.version)
        else {
            self.path = None;
            return;
        };
        let (p, n) = (obs.position, obs.contact_normal);
        let key = (
            version,
            [p.x, p.y, n.x, n.y, goal.x, goal.y].map(f64::to_bits),
        );
        let found = match self.plans.iter().find(|(k, _)| *k == key) {
            Some((_, plan)) => plan.clone(),
            None => {
                // A ball resting against a wall sits exactly one radius from it, where the
                // clearance test may round either way; starting a millimetre off the wall avoids a
                // spurious "no path".
                let nudged = p + n * 1e-3;
                self.searches += 1;
                let plan = shortest_path(map, p, goal)
                    .or_else(|| shortest_path(map, nudged, goal))
                    .or_else(|| shortest_path(map, p + n * BALL_RADIUS, goal))
                    .map(|mut sp| {
                        sp.waypoints[0] = p;
                        sp.waypoints
                    });
                if self.plans.len() == PLAN_CACHE {
                    self.plans.remove(0);
                }
                self.plans.push((key, plan.clone()));
                plan
            }
        };
        if let Some(waypoints) = found {
            self.path = Some(PathFollower::new(waypoints));
        }
        // With no path (the goal walled off) the old path, if any, is kept: it is the best guess.
    }

    fn refresh_map(&mut self) -> bool {
        match self.map.newer_than(self.version) {
            Some((v, m)) => {
                self.version = Some(v);
                self.known = Some(m);
                true
            }
            None => false,
        }
    }
}

impl Agent<Observation, Vec2> for Oracle {
    fn name(&self) -> &str {
        "oracle"
    }

    fn begin_trial(&mut self, obs: &Observation) {
        self.refresh_map();
        self.goal = obs.goal;
        self.replan(obs);
    }

    fn act(&mut self, obs: &Observation) -> Vec2 {
        self.ctrl.observe(obs);
        if self.refresh_map() || obs.goal != self.goal {
            self.goal = obs.goal;
            self.replan(obs);
        }
        if obs.success {
            return self.ctrl.track_velocity(obs, Vec2::ZERO);
        }
        let cruise = self.ctrl.params.cruise_speed;
        match self.path.as_mut() {
            Some(p) => p.act(obs, &mut self.ctrl, cruise),
            None => self.ctrl.track_velocity(obs, Vec2::ZERO),
        }
    }

    fn end_trial(&mut self, _success: bool) {
        self.path = None;
    }
}

/// Reports nothing beyond its actions (no graph, no substrate).
impl MazeAgent for Oracle {}

#[cfg(test)]
mod tests {
    use super::*;
    use sns_worlds::maze::Cell;

    fn obs_at(position: Vec2, goal: Vec2) -> Observation {
        Observation {
            position,
            velocity: Vec2::ZERO,
            contact: false,
            contact_normal: Vec2::ZERO,
            goal: Some(goal),
            success: false,
        }
    }

    #[test]
    fn plans_once_per_map_version_start_and_goal() {
        let map = MazeMap::builtin("large").expect("builtin");
        let (s, g) = (map.cell_to_xy((1, 1)), map.cell_to_xy((7, 10)));
        let live = LiveMap::new(map.clone());
        let mut o = Oracle::new(live.clone(), ControlParams::default());
        for _ in 0..3 {
            o.begin_trial(&obs_at(s, g));
            o.act(&obs_at(s, g));
            o.end_trial(true);
        }
        assert_eq!(o.searches(), 1, "the same trial again must reuse the plan");
        assert!(o.waypoints().is_none());
        o.begin_trial(&obs_at(s, g));
        assert!(o.waypoints().is_some(), "a reused plan is followed");
        // Another start, or a changed map, is a new search.
        o.begin_trial(&obs_at(map.cell_to_xy((3, 1)), g));
        assert_eq!(o.searches(), 2);
        let mut changed = map.clone();
        changed.set_cell((1, 2), Cell::Wall);
        live.set(changed);
        o.begin_trial(&obs_at(s, g));
        assert_eq!(o.searches(), 3);
        o.begin_trial(&obs_at(s, g));
        assert_eq!(o.searches(), 3);
        assert_eq!(live.version(), 1);
    }
}
