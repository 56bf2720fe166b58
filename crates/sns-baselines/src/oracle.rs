//! The oracle: it knows the map and follows the exact shortest path with the shared controller.
//!
//! It gives the best achievable steps and path length for the body and controller every agent
//! shares, so the gap between another agent and the oracle is what that agent loses by not
//! knowing the map. The path is [`sns_worlds::oracle::shortest_path`] (a visibility graph in
//! configuration space) from the ball's position to the goal; it is recomputed at the start of
//! every trial and whenever the map it is shown through a [`LiveMap`] changes (a changing-world
//! scenario), so the oracle knows the map at every moment, not only at the start.

use crate::path::PathFollower;
use sns_core::control::{ControlParams, Controller};
use sns_core::Agent;
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

    /// The map and its version, when newer than `seen`.
    pub fn newer_than(&self, seen: Option<u64>) -> Option<(u64, MazeMap)> {
        let g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        (seen != Some(g.0)).then(|| (g.0, g.1.clone()))
    }
}

/// The map-knowing shortest-path follower.
#[derive(Debug, Clone)]
pub struct Oracle {
    map: LiveMap,
    version: Option<u64>,
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

    fn replan(&mut self, obs: &Observation) {
        let (Some(map), Some(goal)) = (self.known.as_ref(), obs.goal) else {
            self.path = None;
            return;
        };
        // A ball resting against a wall sits exactly one radius from it, where the clearance test
        // may round either way; starting a millimetre off the wall avoids a spurious "no path".
        let nudged = obs.position + obs.contact_normal * 1e-3;
        let found = shortest_path(map, obs.position, goal)
            .or_else(|| shortest_path(map, nudged, goal))
            .or_else(|| shortest_path(map, obs.position + obs.contact_normal * BALL_RADIUS, goal));
        if let Some(mut sp) = found {
            sp.waypoints[0] = obs.position;
            self.path = Some(PathFollower::new(sp.waypoints));
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

impl Agent for Oracle {
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
