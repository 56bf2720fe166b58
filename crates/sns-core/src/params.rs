//! Parameters of the SNS agent, each with its default and its role.

use crate::control::ControlParams;
use crate::learning::{Habituation, Hebbian, Refinement};
use crate::substrate::PlanCosts;
use sns_worlds::Real;

/// Parameters of the SNS algorithm. Distances are in metres; the defaults are set from the body
/// (radius 0.1 m, speed 5 m/s) and were never tuned to a particular maze. They serialise (with
/// serde), so that a benchmark can archive the exact parameters of its runs.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct MazeParams {
    /// Effectiveness of an untried behaviour (optimism) while the task is unsolved. Default 0.8.
    pub w_untried: Real,
    /// Habituation of optimism: the effectiveness assumed for untried behaviours is
    /// `w_untried / (1 + habituation x max(0, trials solved - explore_trials))`. Default 6. Exploration is
    /// optimistic while the task is unsolved; once routes are proven, the agent exploits them and
    /// tries a novel behaviour only when it promises a much shorter route: after two solved trials a
    /// straight line through unknown space must be 8.75 times shorter than the proven route (at 3, 5 times: in a
    /// large perfect maze, whose routes are several times their straight line, the third trial
    /// still chased such promises into dead ends; see docs/METHOD.md).
    pub habituation: Real,
    /// Space within about this distance of where the body has been is familiar (the memory is a
    /// grid of 0.15 m cells, so the boundary is accurate to a cell): untried behaviours through
    /// familiar space keep the initial optimism `w_untried` when optimism habituates (see
    /// `sns_core::familiar`). Default 0.3 m; 0 turns it off.
    pub familiar_radius: Real,
    /// Solved trials after which optimism starts to habituate. Default 1: the first solution
    /// proves the task solvable, the next trial still explores for a shorter route, and the agent
    /// then commits to the best routes it has proven.
    pub explore_trials: u32,
    /// Hebbian potentiation rate on success, `w <- w + eta (1 - w)`. Default 0.5.
    pub eta: Real,
    /// Depression factor on failure, `w <- beta w`. Default 0.3.
    pub beta: Real,
    /// Effectiveness factor of a behaviour predicted to fail by generalisation. Default 0.001.
    pub generalised_factor: Real,
    /// Whether failures generalise to similar behaviours. Default true.
    pub generalise: bool,
    /// Cost per edge (simplicity). Default 0.05.
    pub segment_penalty: Real,
    /// Spacing of the level-0 lattice of candidate places, in metres. Default 0.5. Level `k`
    /// halves it: the union of all levels is the countable, dense set of places the search
    /// enumerates. The lattice is anchored at the agent's first position (no map is known).
    pub lattice0: Real,
    /// A node at level `k` is connected to every node within `neighbour_factor x spacing(k)`.
    /// Default 2.3 (the 16-neighbourhood of the lattice: 16 directions, 22.5 degrees apart on
    /// average).
    pub neighbour_factor: Real,
    /// Level-0 lattice places are laid out within this distance of where the body has been, and
    /// nowhere else (and around every place the agent reaches or plans from); unknown space
    /// beyond is assumed free through the virtual exits of the frontier places (see
    /// `sns_core::plan`). Default 1.5 (measured against 1.0 on giant, medium task 1, large tasks 3
    /// and 4 and giant task 4, 20 seeds each: the same median first trials with 18 % fewer
    /// places, but 9 % more mean first-trial steps on giant and 14 % more second-trial steps on
    /// giant task 4). The completeness argument needs
    /// `lattice_margin + lattice0 / 2 >= neighbour_factor x lattice0` (docs/METHOD.md).
    pub lattice_margin: Real,
    /// How far along the virtual exit of a frontier place (the straight line through unexplored
    /// space to the goal) remembered walls are looked for, in metres: an exit whose first
    /// `exit_check` metres cross a remembered wall is predicted to fail like an edge would
    /// (`generalised_factor`). Default 1000: the whole line in any world up to a kilometre across
    /// (walls are remembered only where the body has been, so the check costs what the line
    /// crosses of the explored region; the contacts are looked for in a band along the line).
    /// Until session 15 it was 6 m, and an exit whose line crossed a wall farther on looked
    /// free: SNS swept space it knew to be walled off from the goal (a bug trap's inside, the far
    /// side of a room). Measured on the generated worlds of BENCHMARKS.md section 5 (docs/METHOD.md
    /// "Scale"). 0 turns the check off.
    pub exit_check: Real,
    /// At most this many neighbours are connected to a new node. Default 24.
    pub max_degree: usize,
    /// How far beyond the body's centre, along the contact normal, the place where a behaviour
    /// failed against a wall is anchored, in metres: 0.15 m from the centre is 0.25 m from the
    /// wall's surface with PointMaze's 0.1 m ball. Default 0.15.
    pub contact_backoff: Real,
    /// Failures at one node before its neighbourhood is refined (lattice spacing halved there).
    /// Default 3.
    pub refine_after: u32,
    /// Deepest refinement level. Default 4 (spacing 3 cm).
    pub max_level: u8,
    /// Hard cap on the number of nodes (bounded memory). Default 200000 (the symbolic substrate
    /// takes about 2.1 kB per node with its edges, measured as resident memory, so about 430 MB). Places are laid only where the body has been,
    /// so only exploration reaches it (about 4 places per square metre explored); when it is
    /// reached no more lattice places are laid (counted in `MazeStats::capped`) and the search
    /// goes on over the places it has.
    pub max_nodes: usize,
    /// Radius within which an intermediate node counts as reached. Default 0.2.
    pub arrive_radius: Real,
    /// Radius within which an intermediate node also counts as reached when no remembered wall
    /// lies between it and the body (and past the node along the segment, within twice this):
    /// the body cuts the corner toward the next node. It halves with each level of refinement of
    /// the node. It is also the depth behind a remembered wall within which a place counts as
    /// inside the wall (`PlanCosts::wall_depth`). Default 0.45 (measured against 0.35, 0.5, 0.55
    /// and 0.6 on 3400 runs: BENCHMARKS.md); at most `arrive_radius` turns corner cutting off.
    pub cut_radius: Real,
    /// Steps without `progress_step` of progress before a behaviour is declared failed.
    /// Default 60.
    pub stall_steps: u64,
    /// Progress toward the target that counts against the stall window, in metres: the
    /// distance must fall this far below its best so far. Default 0.02.
    pub progress_step: Real,
    /// Contact steps with less than `blocked_speed` of progress (head-on, or while slower than
    /// `slow_speed`) before a behaviour is declared blocked. Default 8.
    pub blocked_steps: u64,
    /// Speed toward the target below which a contact step counts as blocked, in m/s. Default
    /// 0.2.
    pub blocked_speed: Real,
    /// Speed below which a contact step that is not head-on counts as blocked (with too little
    /// progress), in m/s. Default 0.5.
    pub slow_speed: Real,
    /// A behaviour times out after the steps its length takes at this speed, in m/s, plus
    /// `timeout_slack` steps. Default 0.5.
    pub timeout_speed: Real,
    /// Steps added to every behaviour's timeout. Default 300.
    pub timeout_slack: u64,
    /// How far ahead of the current target the plan is read out, in metres; at least
    /// `brake_lookahead`, so that the braking sees every turn in its range, and bounded, so that
    /// reading a plan never grows with the graph. Default 3.5.
    pub plan_ahead: Real,
    /// How far ahead along the plan turns limit the speed at which the current target is
    /// passed, in metres. Default 3.
    pub brake_lookahead: Real,
    /// The agent is still at the place it last reached while it is within this distance of it
    /// (or within `cut_radius`, if larger: a place counts as reached that far), in metres.
    /// Default 0.5.
    pub stay_radius: Real,
    /// A goal sensed within this distance of the known one is the same goal (self-motion
    /// sensing perceives it through a drifting estimate), in metres (0: only the same position).
    /// Default 0.1.
    pub goal_tolerance: Real,
    /// A contact within this distance of a remembered one (or of the last one) is not remembered
    /// again, in metres. Default 0.04.
    pub contact_spacing: Real,
    /// The clearance of the failure model as a fraction of `body_radius`: a straight behaviour
    /// passing closer than `clearance_factor x body_radius` to a remembered wall patch is
    /// predicted to fail (`sns_core::failure`). Default 0.8.
    pub clearance_factor: Real,
    /// Cosine above which a contact normal opposes the direction of travel head-on, which blocks
    /// the behaviour at once. Default 0.7 (45 degrees).
    pub steep_contact_cos: Real,
    /// Half-length of the wall patch inferred from one contact (generalisation of a failure to
    /// the behaviours that would cross the same wall nearby). Default 0.2.
    pub contact_patch: Real,
    /// Abort a behaviour as soon as a new contact predicts that it fails (immediate re-planning),
    /// instead of waiting for the failure detectors, in every trial. The abandoned behaviour is
    /// interrupted as with `abort_trials` (not depressed, not counted toward refinement; until
    /// session 8 it was counted as a failure). Default false (measured with the failure
    /// semantics: 20 % fewer first-trial steps but longer paths in later trials).
    pub abort_on_prediction: bool,
    /// Abort a behaviour as soon as a new contact predicts that it fails (as
    /// `abort_on_prediction` does in every trial) while fewer than this many trials have been
    /// solved: exploration turns away from a wall the moment the wall it slides along is
    /// predicted to block the move, instead of sliding on until the failure detectors stop it.
    /// The interrupted behaviour is not depressed and not counted toward refinement (the
    /// prediction already makes it expensive); its executed part is proven. Default 1 (the first
    /// trial: about a quarter fewer first-trial steps on the generated worlds and the built-in
    /// mazes; until session 9 it was 0, off, because later trials broke on places hidden in
    /// walls, which `transfer_hidden` mends; docs/METHOD.md "Scale"). 0 turns it off.
    pub abort_trials: u32,
    /// A place hidden in a wall hands its route on: when a behaviour stops with the body pressed
    /// against a wall within reach of its target (`cut_radius`) but the target behind the wall's
    /// surface, and the plan went on from that place by a proven behaviour, the place where the
    /// body stopped takes that behaviour over (its effectiveness and its proof). Such places are
    /// reached by cutting their corner from one side and not from another; without the hand-on,
    /// a later trial that meets one from the other side gives up its proven route for a longer
    /// one (docs/METHOD.md "Scale"). Default true.
    pub transfer_hidden: bool,
    /// Radius of the agent's body. Default 0.1.
    pub body_radius: Real,
    /// Motor controller.
    pub control: ControlParams,
}

impl Default for MazeParams {
    fn default() -> Self {
        MazeParams {
            w_untried: 0.8,
            habituation: 6.0,
            explore_trials: 1,
            familiar_radius: 0.3,
            eta: 0.5,
            beta: 0.3,
            generalised_factor: 0.001,
            generalise: true,
            segment_penalty: 0.05,
            lattice0: 0.5,
            neighbour_factor: 2.3,
            lattice_margin: 1.5,
            exit_check: 1000.0,
            max_degree: 24,
            contact_backoff: 0.15,
            refine_after: 3,
            max_level: 4,
            max_nodes: 200_000,
            arrive_radius: 0.2,
            cut_radius: 0.45,
            stall_steps: 60,
            progress_step: 0.02,
            blocked_steps: 8,
            blocked_speed: 0.2,
            slow_speed: 0.5,
            timeout_speed: 0.5,
            timeout_slack: 300,
            plan_ahead: 3.5,
            brake_lookahead: 3.0,
            stay_radius: 0.5,
            goal_tolerance: 0.1,
            contact_spacing: 0.04,
            clearance_factor: 0.8,
            steep_contact_cos: 0.7,
            contact_patch: 0.2,
            abort_on_prediction: false,
            abort_trials: 1,
            transfer_hidden: true,
            body_radius: 0.1,
            control: ControlParams::default(),
        }
    }
}

/// A parameter that failed validation, or a `--param NAME=VALUE` that could not be set.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ParamError {
    /// A value breaks the rule quoted (`lattice0 must be in [0.02, 10] m`).
    #[error("invalid SNS parameter: {rule}")]
    Rule {
        /// The rule, naming the parameter and its valid range.
        rule: &'static str,
    },
    /// No parameter has this name.
    #[error("invalid SNS parameter: unknown parameter '{name}'")]
    Unknown {
        /// The name given.
        name: String,
    },
    /// The text is not a value of the parameter's type.
    #[error("invalid SNS parameter: {name}={value}: {expected}")]
    Value {
        /// Parameter name.
        name: String,
        /// The text given.
        value: String,
        /// What was expected (`not a number`).
        expected: &'static str,
    },
}

/// A parameter's value as text (`--param name=value`), read as the parameter's type: the one
/// reader of [`MazeParams::set`] and [`crate::system::SystemParams::set`].
pub(crate) struct ParamText<'a> {
    /// The parameter's name.
    pub name: &'a str,
    /// The text given.
    pub value: &'a str,
}

impl ParamText<'_> {
    fn bad(&self, expected: &'static str) -> ParamError {
        ParamError::Value {
            name: self.name.to_string(),
            value: self.value.to_string(),
            expected,
        }
    }

    /// A number.
    pub fn real(&self) -> Result<Real, ParamError> {
        self.value.parse().map_err(|_| self.bad("not a number"))
    }

    /// A non-negative integer.
    pub fn int(&self) -> Result<u64, ParamError> {
        (self.value.parse()).map_err(|_| self.bad("not a non-negative integer"))
    }

    /// A non-negative integer that fits 32 bits.
    pub fn small(&self) -> Result<u32, ParamError> {
        u32::try_from(self.int()?).map_err(|_| self.bad("too large"))
    }

    /// A non-negative integer that fits a `usize`.
    pub fn size(&self) -> Result<usize, ParamError> {
        usize::try_from(self.int()?).map_err(|_| self.bad("too large"))
    }

    /// `true` or `false`.
    pub fn boolean(&self) -> Result<bool, ParamError> {
        self.value.parse().map_err(|_| self.bad("not true/false"))
    }
}

/// Parameters that passed [`MazeParams::check`]: the only kind [`crate::Sns::new`] accepts (after
/// linfa's `ParamGuard`/`ValidParams`), so an agent can never run on values that break a rule.
/// Read the fields through `Deref` (`valid.eta`); to change one, go back with
/// [`ValidMazeParams::into_inner`] and check again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidMazeParams(MazeParams);

impl ValidMazeParams {
    /// The checked values, to edit and check again.
    pub fn into_inner(self) -> MazeParams {
        self.0
    }
}

impl Default for ValidMazeParams {
    /// The defaults, which obey every rule (a test checks it).
    fn default() -> Self {
        ValidMazeParams(MazeParams::default())
    }
}

impl std::ops::Deref for ValidMazeParams {
    type Target = MazeParams;
    fn deref(&self) -> &MazeParams {
        &self.0
    }
}

impl MazeParams {
    /// Checks every rule and returns the checked parameters; the first broken rule is reported.
    pub fn check(self) -> Result<ValidMazeParams, ParamError> {
        self.check_ref()?;
        Ok(ValidMazeParams(self))
    }

    /// Checks every rule without consuming the parameters.
    pub fn check_ref(&self) -> Result<(), ParamError> {
        let within = |v: Real, lo: Real, hi: Real| v.is_finite() && v >= lo && v <= hi;
        let unit = |v: Real| v.is_finite() && v > 0.0 && v <= 1.0;
        let c = &self.control;
        let rules = [
            (unit(self.w_untried), "w_untried must be in (0, 1]"),
            (unit(self.eta), "eta must be in (0, 1]"),
            (
                within(self.habituation, 0.0, 1e6),
                "habituation must be in [0, 1e6]",
            ),
            (unit(self.beta) && self.beta < 1.0, "beta must be in (0, 1)"),
            (
                unit(self.generalised_factor),
                "generalised_factor must be in (0, 1]",
            ),
            (
                within(self.familiar_radius, 0.0, 5.0),
                "familiar_radius must be in [0, 5] m",
            ),
            (
                within(self.segment_penalty, 0.0, 100.0),
                "segment_penalty must be in [0, 100]",
            ),
            (
                within(self.lattice0, 0.02, 10.0),
                "lattice0 must be in [0.02, 10] m",
            ),
            (
                within(self.neighbour_factor, 1.5, 8.0),
                "neighbour_factor must be in [1.5, 8]",
            ),
            (
                within(self.lattice_margin, 0.0, 100.0),
                "lattice_margin must be in [0, 100] m",
            ),
            (
                within(self.exit_check, 0.0, 1000.0),
                "exit_check must be in [0, 1000] m",
            ),
            (
                within(self.contact_patch, 0.0, 1.0),
                "contact_patch must be in [0, 1] m",
            ),
            (
                within(self.contact_backoff, 0.0, 1.0),
                "contact_backoff must be in [0, 1] m",
            ),
            (
                within(self.steep_contact_cos, -1.0, 1.0),
                "steep_contact_cos must be in [-1, 1]",
            ),
            (
                within(self.arrive_radius, 0.01, 5.0),
                "arrive_radius must be in [0.01, 5] m",
            ),
            (
                within(self.cut_radius, 0.0, 5.0),
                "cut_radius must be in [0, 5] m",
            ),
            (
                within(self.body_radius, 0.001, 5.0),
                "body_radius must be in [0.001, 5] m",
            ),
            (
                self.max_degree >= 1 && self.max_degree <= 1000,
                "max_degree must be in [1, 1000]",
            ),
            (
                self.max_nodes >= 3 && self.max_nodes <= 10_000_000,
                "max_nodes must be in [3, 1e7]",
            ),
            (self.refine_after >= 1, "refine_after must be >= 1"),
            (
                self.abort_trials <= 1_000_000,
                "abort_trials must be in [0, 1e6]",
            ),
            (self.max_level <= 16, "max_level must be <= 16"),
            (
                self.stall_steps >= 1 && self.blocked_steps >= 1,
                "stall_steps and blocked_steps must be >= 1",
            ),
            (
                within(self.progress_step, 0.0, 10.0),
                "progress_step must be in [0, 10] m",
            ),
            (
                within(self.blocked_speed, 0.0, 100.0),
                "blocked_speed must be in [0, 100] m/s",
            ),
            (
                within(self.slow_speed, 0.0, 100.0),
                "slow_speed must be in [0, 100] m/s",
            ),
            (
                within(self.timeout_speed, 0.01, 100.0),
                "timeout_speed must be in [0.01, 100] m/s",
            ),
            (
                self.timeout_slack <= 100_000_000,
                "timeout_slack must be in [0, 1e8] steps",
            ),
            (
                within(self.brake_lookahead, 0.0, 1000.0),
                "brake_lookahead must be in [0, 1000] m",
            ),
            (
                within(self.plan_ahead, self.brake_lookahead, 1000.0),
                "plan_ahead must be in [brake_lookahead, 1000] m",
            ),
            (
                within(self.stay_radius, 0.0, 10.0),
                "stay_radius must be in [0, 10] m",
            ),
            (
                within(self.goal_tolerance, 0.0, 10.0),
                "goal_tolerance must be in [0, 10] m",
            ),
            (
                within(self.contact_spacing, 0.0, 1.0),
                "contact_spacing must be in [0, 1] m",
            ),
            (
                within(self.clearance_factor, 0.0, 10.0),
                "clearance_factor must be in [0, 10]",
            ),
            (
                within(c.cruise_speed, 0.01, 100.0),
                "cruise_speed must be in [0.01, 100] m/s",
            ),
            (
                within(c.brake_fraction, 0.01, 1.0),
                "brake_fraction must be in [0.01, 1]",
            ),
            (
                within(c.cross_track_gain, 0.0, 1000.0),
                "cross_track_gain must be in [0, 1000] 1/s",
            ),
            (within(c.dt, 1e-4, 10.0), "dt must be in [1e-4, 10] s"),
            (
                within(c.direct_radius, 0.0, 100.0),
                "direct_radius must be in [0, 100] m",
            ),
            (
                within(c.corner_overshoot, 0.0, 100.0),
                "corner_overshoot must be in [0, 100] m",
            ),
            (
                within(c.min_decel, 0.0, 1e6),
                "min_decel must be in [0, 1e6] m/s^2",
            ),
            (
                within(c.straight_turn, 0.0, std::f64::consts::PI),
                "straight_turn must be in [0, pi] rad",
            ),
            (unit(c.forgetting), "forgetting must be in (0, 1]"),
        ];
        for (ok, rule) in rules {
            if !ok {
                return Err(ParamError::Rule { rule });
            }
        }
        Ok(())
    }

    /// Sets one parameter by name from text (`--param name=value` on the command line).
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ParamError> {
        let t = ParamText { name, value };
        match name {
            "w_untried" => self.w_untried = t.real()?,
            "eta" => self.eta = t.real()?,
            "habituation" => self.habituation = t.real()?,
            "explore_trials" => self.explore_trials = t.small()?,
            "familiar_radius" => self.familiar_radius = t.real()?,
            "beta" => self.beta = t.real()?,
            "generalised_factor" => self.generalised_factor = t.real()?,
            "generalise" => self.generalise = t.boolean()?,
            "segment_penalty" => self.segment_penalty = t.real()?,
            "lattice0" => self.lattice0 = t.real()?,
            "neighbour_factor" => self.neighbour_factor = t.real()?,
            "lattice_margin" => self.lattice_margin = t.real()?,
            "exit_check" => self.exit_check = t.real()?,
            "max_degree" => self.max_degree = t.small()? as usize,
            "contact_backoff" => self.contact_backoff = t.real()?,
            "refine_after" => self.refine_after = t.small()?,
            // Saturates, so that 300 breaks the rule `max_level <= 16` instead of wrapping to 44.
            "max_level" => self.max_level = t.small()?.min(255) as u8,
            "max_nodes" => self.max_nodes = t.small()? as usize,
            "arrive_radius" => self.arrive_radius = t.real()?,
            "cut_radius" => self.cut_radius = t.real()?,
            "stall_steps" => self.stall_steps = t.int()?,
            "progress_step" => self.progress_step = t.real()?,
            "blocked_steps" => self.blocked_steps = t.int()?,
            "blocked_speed" => self.blocked_speed = t.real()?,
            "slow_speed" => self.slow_speed = t.real()?,
            "timeout_speed" => self.timeout_speed = t.real()?,
            "timeout_slack" => self.timeout_slack = t.int()?,
            "plan_ahead" => self.plan_ahead = t.real()?,
            "brake_lookahead" => self.brake_lookahead = t.real()?,
            "stay_radius" => self.stay_radius = t.real()?,
            "goal_tolerance" => self.goal_tolerance = t.real()?,
            "contact_spacing" => self.contact_spacing = t.real()?,
            "clearance_factor" => self.clearance_factor = t.real()?,
            "steep_contact_cos" => self.steep_contact_cos = t.real()?,
            "body_radius" => self.body_radius = t.real()?,
            "contact_patch" => self.contact_patch = t.real()?,
            "abort_on_prediction" => self.abort_on_prediction = t.boolean()?,
            "abort_trials" => self.abort_trials = t.small()?,
            "transfer_hidden" => self.transfer_hidden = t.boolean()?,
            "cruise_speed" => self.control.cruise_speed = t.real()?,
            "brake_fraction" => self.control.brake_fraction = t.real()?,
            "cross_track_gain" => self.control.cross_track_gain = t.real()?,
            "direct_radius" => self.control.direct_radius = t.real()?,
            "corner_overshoot" => self.control.corner_overshoot = t.real()?,
            "min_decel" => self.control.min_decel = t.real()?,
            "straight_turn" => self.control.straight_turn = t.real()?,
            "forgetting" => self.control.forgetting = t.real()?,
            // The controller's model of the world's step; the command line warns when it differs
            // from the world's (0.01 s in PointMaze).
            "dt" => self.control.dt = t.real()?,
            _ => {
                return Err(ParamError::Unknown {
                    name: name.to_string(),
                })
            }
        }
        Ok(())
    }

    /// The Hebbian rule of edges' effectiveness (no floor: `w_min` = 0).
    pub fn hebbian(&self) -> Hebbian {
        Hebbian {
            eta: self.eta,
            beta: self.beta,
            w_min: 0.0,
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

    /// The planning constants handed to the substrate.
    pub fn costs(&self) -> PlanCosts {
        PlanCosts {
            w_untried: self.w_untried,
            w_familiar: self.w_untried,
            segment_penalty: self.segment_penalty,
            generalised_factor: self.generalised_factor,
            generalise: self.generalise,
            clearance: self.body_radius * self.clearance_factor,
            contact_patch: self.contact_patch,
            wall_depth: self.cut_radius,
            edge_reach: self.neighbour_radius(0) + 1e-9,
            exit_reach: self.exit_check,
            search: false,
        }
    }

    /// Lattice spacing at `level`.
    pub fn spacing(&self, level: u8) -> Real {
        self.lattice0 / (1u32 << level) as Real
    }

    /// Equivalence radius at `level`: half the spacing.
    pub fn eps(&self, level: u8) -> Real {
        self.spacing(level) / 2.0
    }

    /// Connection radius at `level`.
    pub fn neighbour_radius(&self, level: u8) -> Real {
        self.neighbour_factor * self.spacing(level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert!(MazeParams::default().check().is_ok());
    }

    /// Regression: non-finite or extreme values used to hang the agent or fail every trial.
    #[test]
    fn extreme_or_non_finite_values_are_refused() {
        for (name, value) in [
            ("lattice0", "1e-6"),
            ("lattice_margin", "1e9"),
            ("neighbour_factor", "1e4"),
            ("blocked_steps", "0"),
            ("cross_track_gain", "nan"),
            ("brake_fraction", "-1"),
            ("contact_backoff", "nan"),
            ("steep_contact_cos", "nan"),
            ("body_radius", "1e300"),
        ] {
            let mut p = MazeParams::default();
            let refused = p.set(name, value).is_err() || p.check().is_err();
            assert!(refused, "{name}={value} accepted");
        }
        let mut p = MazeParams::default();
        assert!(
            p.set("explore_trials", "4294967296").is_err(),
            "wraps around u32"
        );
        assert!(matches!(
            p.set("no_such", "1"),
            Err(ParamError::Unknown { .. })
        ));
    }

    /// Regression: `dt` had a rule in `check` but `set` refused it as unknown. Every parameter with a
    /// rule can be set by name and is checked.
    #[test]
    fn every_checked_parameter_can_be_set() {
        for (name, bad) in [
            ("dt", "0"),
            ("cruise_speed", "0"),
            ("brake_fraction", "0"),
            ("cross_track_gain", "-1"),
            ("direct_radius", "-1"),
            ("corner_overshoot", "nan"),
            ("min_decel", "-1"),
            ("straight_turn", "4"),
            ("forgetting", "0"),
            ("progress_step", "-1"),
            ("blocked_speed", "nan"),
            ("slow_speed", "-1"),
            ("timeout_speed", "0"),
            ("timeout_slack", "1000000000"),
            ("plan_ahead", "2"),
            ("brake_lookahead", "1e9"),
            ("stay_radius", "-1"),
            ("goal_tolerance", "inf"),
            ("contact_spacing", "2"),
            ("clearance_factor", "-0.5"),
            ("exit_check", "-1"),
            ("habituation", "-1"),
            ("abort_trials", "1000001"),
        ] {
            let mut p = MazeParams::default();
            p.set(name, bad).expect(name);
            let e = p.check().expect_err(name).to_string();
            assert!(e.contains(name), "{name}: {e}");
        }
        let mut p = MazeParams::default();
        p.set("dt", "0.02").expect("dt");
        assert_eq!(p.check().expect("valid").control.dt, 0.02);
    }

    #[test]
    fn checked_params_read_through_and_round_trip() {
        let v = MazeParams::default().check().expect("defaults");
        assert_eq!(v, ValidMazeParams::default());
        assert_eq!(v.eta, MazeParams::default().eta);
        let mut p = v.into_inner();
        p.eta = 2.0;
        assert!(matches!(p.check(), Err(ParamError::Rule { .. })));
    }
}
