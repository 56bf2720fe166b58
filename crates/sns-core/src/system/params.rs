//! Parameters of the control agent, the same for every world: lengths are in the state space's
//! normalised units (each axis divided by its scale, so that every world's state box is about a
//! unit box), durations in steps.

use super::SystemError;
use crate::learning::{Habituation, Hebbian, Refinement};
use crate::params::{ParamError, ParamText};

/// Parameters of [`SystemDomain`](super::SystemDomain). The defaults are the same for every world
/// and were not tuned to one; they serialise, so that a benchmark can archive them.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SystemParams {
    /// Edge of a place (a cell of the normalised state space). Default 1/64.
    pub cell: f64,
    /// Radius of the kernel through which outcomes (and so failures) generalise to nearby
    /// places, in normalised units. Default 2.5/64 (two and a half cells). When the plan finds
    /// no way to the goal, the radius halves (resolution refinement), down to half a cell.
    pub kernel_radius: f64,
    /// The longest hold of a primitive, in steps (depth 0). Default 32.
    pub max_hold: u32,
    /// The deepest refinement of levels and durations. Default 4 (levels `range / 16`, holds of
    /// `max_hold / 16` steps).
    pub max_depth: u32,
    /// Hebbian potentiation rate, `w <- w + eta (1 - w)`, when a primitive leads where the plan
    /// needed. Default 0.5.
    pub eta: f64,
    /// Depression factor, `w <- beta w`, when it does not. Default 0.5.
    pub beta: f64,
    /// Floor of the effectiveness (costs stay finite: no primitive is excluded for ever).
    /// Default 0.01.
    pub w_min: f64,
    /// Failures at a place after which its primitives are refined one depth. Default 3.
    pub refine_after: u32,
    /// Solved trials after which optimism about unexplored space starts to habituate.
    /// Default 1.
    pub explore_trials: u32,
    /// Habituation: unexplored space costs `1 + habituation x max(0, solved - explore_trials)`
    /// times its optimistic estimate. Default 100: once the task has been solved and the next
    /// trial has explored for a shorter route, the agent commits to what it has learned and
    /// explores only where its model knows nothing on its way.
    pub habituation: f64,
    /// Slowest learning rate of an outcome (an exponential average over executions, so that a
    /// changed world is relearned). Default 0.25.
    pub min_learning_rate: f64,
    /// At most this many nodes expanded by one route search (the best route found so far is
    /// taken beyond). Default 20,000.
    pub max_expansions: usize,
    /// At most this many places (memory bound; reaching it is counted and the agent goes on
    /// acting with what it has). Default 2,000,000.
    pub max_places: usize,
    /// Hold tasks: the braking bound in the heuristic (docs/METHOD.md, "The braking bound"):
    /// a state whose flow, braking at the largest change of flow per step seen, would carry it
    /// out of the goal region cannot start a hold there, so its optimistic cost adds the
    /// time to stop and come back. Default false: it lengthens the cart-pole's holds but
    /// costs the pendulum's third trials (measured, see METHOD.md).
    pub hold_braking: bool,
    /// Hold tasks: the hold controller (docs/METHOD.md, "The hold controller"; `hold.rs`): in
    /// the goal region, each step's level is the linear-quadratic regulator's of a locally
    /// linear model fitted to the raw samples seen in the region nearest the state, around
    /// that model's rest point. Default true (since session 9: on 40 seeds of the pendulum, 2
    /// third trials above 1.3 x optimal against 8 without it; the cart-pole swing-up is solved
    /// only with it). Never in search mode.
    pub hold_control: bool,
    /// The hold controller's action cost, relative to the squared effect of the action on the
    /// flow. Default 1.
    pub hold_effort: f64,
    /// Route following from a neighbouring cell: when the state is in a cell next to the one
    /// the route's next leg starts from (the tolerance with which a leg's landing is judged
    /// a success), the leg is followed if, simulated from the state itself, it still lands
    /// next to where it was expected; otherwise (and always when off) the route is searched
    /// afresh. Default true (session 10: the same tolerance judges a leg and follows the
    /// route; without it the route was searched afresh at every one-cell deviation and the
    /// agent could switch between routes; measured in docs/METHOD.md, "Following a route").
    pub follow_near: bool,
    /// Untried levels between tried ones are predicted: for a one-dimensional action, a level
    /// with nothing learned near a state takes the linear interpolation of the nearest levels
    /// below and above it learned there (mechanical systems driven by a force or torque are
    /// affine in their action), instead of being optimistic. Refinement's finer levels then
    /// join the plan's model at once instead of each being tried at every place. Default true
    /// (session 11; docs/METHOD.md, "Levels between tried levels").
    pub interpolate_levels: bool,
    /// The harmonic flow readout (`harmonic.rs`; docs/METHOD.md, "A global readout of the
    /// flow"): the total order of the harmonic code whose linear readout, fitted to every step
    /// seen, predicts the flow where the kernel knows something (0: off, the kernel's own
    /// regression predicts; at most 5). Default 0 (session 13: the acrobot's third trials 6.21
    /// -> 3.05 x the oracle's bound with order 4 and `harmonic_trust` 4, but 2 cart-pole trials
    /// of 30 unsolved and one pendulum third trial at 1.79 x optimal).
    pub harmonic_order: u32,
    /// With the harmonic readout on: an outcome counts as known (not optimistic) where
    /// something was learned within this many kernel radii (the readout generalises farther
    /// than the kernel's local regression). Default 1; at least 1.
    pub harmonic_trust: f64,
    /// With the harmonic readout on: it (and its trust radius) is used only once this many
    /// trials are solved, so that exploration before a solution is the kernel's (every trial
    /// up to the `harmonic_after`-th is the default agent's, step for step). Default 0 (from the
    /// start). Session 16, with order 4 and trust 4 and this at 1 (`bench/control-harmonic-after`;
    /// docs/METHOD.md, "A global readout of the flow"): first trials unchanged, the acrobot's
    /// third trials 6.21 -> 3.31 x the search bound (worst 12.51 -> 6.39), the cart-pole's 5.24
    /// -> 3.50 x with every trial solved, but MountainCar's and the pendulum's worst third
    /// trials 1.04 -> 1.31 and 1.23 -> 1.35 x optimal (above their bars), so it stays off.
    pub harmonic_after: u32,
}

impl Default for SystemParams {
    fn default() -> Self {
        Self {
            cell: 1.0 / 64.0,
            kernel_radius: 2.5 / 64.0,
            max_hold: 32,
            max_depth: 4,
            eta: 0.5,
            beta: 0.5,
            w_min: 0.01,
            refine_after: 3,
            explore_trials: 1,
            habituation: 100.0,
            min_learning_rate: 0.25,
            max_expansions: 20_000,
            max_places: 2_000_000,
            hold_braking: false,
            hold_control: true,
            hold_effort: 1.0,
            follow_near: true,
            interpolate_levels: true,
            harmonic_order: 0,
            harmonic_trust: 1.0,
            harmonic_after: 0,
        }
    }
}

impl SystemParams {
    /// The Hebbian rule of primitives' effectiveness (and of a promise's trust).
    pub fn hebbian(&self) -> Hebbian {
        Hebbian {
            eta: self.eta,
            beta: self.beta,
            w_min: self.w_min,
        }
    }

    /// The rule of local refinement (after `refine_after` failures at a place).
    pub fn refinement_rule(&self) -> Refinement {
        Refinement {
            after: self.refine_after,
        }
    }

    /// The habituation of optimism across solved trials.
    pub fn habituation_rule(&self) -> Habituation {
        Habituation {
            rate: self.habituation,
            explore_trials: self.explore_trials,
        }
    }

    /// Sets one parameter by name from text (`--param name=value` on the command line on a
    /// control world); the value's range is checked by [`SystemParams::validate`].
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ParamError> {
        let t = ParamText { name, value };
        match name {
            "cell" => self.cell = t.real()?,
            "kernel_radius" => self.kernel_radius = t.real()?,
            "max_hold" => self.max_hold = t.small()?,
            "max_depth" => self.max_depth = t.small()?,
            "eta" => self.eta = t.real()?,
            "beta" => self.beta = t.real()?,
            "w_min" => self.w_min = t.real()?,
            "refine_after" => self.refine_after = t.small()?,
            "explore_trials" => self.explore_trials = t.small()?,
            "habituation" => self.habituation = t.real()?,
            "min_learning_rate" => self.min_learning_rate = t.real()?,
            "max_expansions" => self.max_expansions = t.size()?,
            "max_places" => self.max_places = t.size()?,
            "hold_braking" => self.hold_braking = t.boolean()?,
            "hold_control" => self.hold_control = t.boolean()?,
            "hold_effort" => self.hold_effort = t.real()?,
            "follow_near" => self.follow_near = t.boolean()?,
            "interpolate_levels" => self.interpolate_levels = t.boolean()?,
            "harmonic_order" => self.harmonic_order = t.small()?,
            "harmonic_trust" => self.harmonic_trust = t.real()?,
            "harmonic_after" => self.harmonic_after = t.small()?,
            _ => {
                return Err(ParamError::Unknown {
                    name: name.to_string(),
                })
            }
        }
        Ok(())
    }

    /// Checks every value; the agent is only built on checked parameters.
    pub fn validate(&self) -> Result<(), SystemError> {
        let bad = |name: &'static str, value: f64, range: &'static str| {
            Err(SystemError::BadParam { name, value, range })
        };
        let unit = |x: f64| x.is_finite() && x > 0.0 && x <= 1.0;
        if !(self.cell.is_finite() && (1e-6..=0.5).contains(&self.cell)) {
            return bad("cell", self.cell, "in [1e-6, 0.5]");
        }
        if !(self.kernel_radius.is_finite()
            && self.kernel_radius > 0.0
            && self.kernel_radius <= 10.0)
        {
            return bad("kernel_radius", self.kernel_radius, "in (0, 10]");
        }
        if self.max_hold == 0 {
            return bad("max_hold", 0.0, "at least 1");
        }
        if self.max_depth > 12 {
            return bad("max_depth", f64::from(self.max_depth), "at most 12");
        }
        if !unit(self.eta) {
            return bad("eta", self.eta, "in (0, 1]");
        }
        if !(self.beta.is_finite() && self.beta > 0.0 && self.beta < 1.0) {
            return bad("beta", self.beta, "in (0, 1)");
        }
        if !unit(self.w_min) {
            return bad("w_min", self.w_min, "in (0, 1]");
        }
        if self.refine_after == 0 {
            return bad("refine_after", 0.0, "at least 1");
        }
        if !(self.habituation.is_finite() && self.habituation >= 0.0) {
            return bad("habituation", self.habituation, "finite and at least 0");
        }
        if !unit(self.min_learning_rate) {
            return bad("min_learning_rate", self.min_learning_rate, "in (0, 1]");
        }
        if self.max_expansions == 0 {
            return bad("max_expansions", 0.0, "at least 1");
        }
        if !(self.hold_effort.is_finite() && self.hold_effort > 0.0) {
            return bad("hold_effort", self.hold_effort, "finite and above 0");
        }
        if self.max_places == 0 {
            return bad("max_places", 0.0, "at least 1");
        }
        if self.harmonic_order > 5 {
            return bad(
                "harmonic_order",
                f64::from(self.harmonic_order),
                "at most 5",
            );
        }
        if !(self.harmonic_trust.is_finite() && (1.0..=100.0).contains(&self.harmonic_trust)) {
            return bad("harmonic_trust", self.harmonic_trust, "in [1, 100]");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field (as serialised, so a new field cannot be forgotten) can be set by its name,
    /// and the value set is the value read back; a bad value or name is an error.
    #[test]
    fn every_parameter_is_settable_by_name() {
        let defaults = serde_json::to_value(SystemParams::default()).expect("serialisable");
        let fields = defaults.as_object().expect("a struct");
        assert_eq!(fields.len(), 21);
        for (name, value) in fields {
            let mut p = SystemParams::default();
            let new = match value {
                serde_json::Value::Bool(b) => (!b).to_string(),
                serde_json::Value::Number(n) if n.is_u64() => (n.as_u64().unwrap() + 1).to_string(),
                serde_json::Value::Number(n) => (n.as_f64().unwrap() * 0.5).to_string(),
                other => panic!("{name}: {other}"),
            };
            p.set(name, &new).expect(name);
            let got = &serde_json::to_value(p).expect("serialisable")[name];
            let want: serde_json::Value = serde_json::from_str(&new).expect("JSON");
            match (got.as_f64(), want.as_f64()) {
                (Some(g), Some(w)) => assert_eq!(g, w, "{name}"),
                _ => assert_eq!(got, &want, "{name}"),
            }
            assert!(p.set(name, "x").is_err(), "{name}");
        }
        assert!(matches!(
            SystemParams::default().set("lattice0", "1"),
            Err(ParamError::Unknown { .. })
        ));
    }
}
