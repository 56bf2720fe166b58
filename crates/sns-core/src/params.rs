//! Parameters of the SNS agent, each with its default and its role.

use crate::control::ControlParams;
use crate::substrate::PlanCosts;
use sns_worlds::Real;

/// Parameters of the SNS algorithm. Distances are in metres; the defaults are set from the body
/// (radius 0.1 m, speed 5 m/s) and were never tuned to a particular maze.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SnsParams {
    /// Initial effectiveness of an untried behaviour (optimism). Default 0.8: untried edges are
    /// tried before much longer ones, but a proven route is kept unless an untried one is at
    /// least 20 % shorter.
    pub w_untried: Real,
    /// Hebbian potentiation rate on success, `w <- w + eta (1 - w)`. Default 0.5.
    pub eta: Real,
    /// Depression factor on failure, `w <- beta w`. Default 0.3.
    pub beta: Real,
    /// Effectiveness factor of a behaviour predicted to fail by generalisation. Default 0.05.
    pub generalised_factor: Real,
    /// Whether failures generalise to similar behaviours. Default true.
    pub generalise: bool,
    /// Cost per edge (simplicity). Default 0.05.
    pub segment_penalty: Real,
    /// Equivalence radius at refinement level 0: nodes closer than this merge. Default 0.25.
    pub eps0: Real,
    /// Probe distance at level 0 (new nodes around an obstacle). Default 0.5.
    pub probe0: Real,
    /// Radius within which a new node is connected to existing ones. Default 1.5.
    pub connect_radius: Real,
    /// At most this many neighbours are connected to a new node. Default 16.
    pub max_degree: usize,
    /// Distance from the wall at which a contact node is anchored (backed off along the
    /// contact normal). Default 0.15.
    pub contact_backoff: Real,
    /// Failures at one node before its neighbourhood is refined (eps and probe distance halved).
    /// Default 3.
    pub refine_after: u32,
    /// Deepest refinement level. Default 4 (eps 0.016 m).
    pub max_level: u8,
    /// Hard cap on the number of nodes (bounded memory). Default 20000.
    pub max_nodes: usize,
    /// Radius within which an intermediate node counts as reached. Default 0.2.
    pub arrive_radius: Real,
    /// Steps without 2 cm of progress before a behaviour is declared failed. Default 60.
    pub stall_steps: u64,
    /// Contact steps with less than 0.2 m/s of progress before a behaviour is declared blocked.
    /// Default 8.
    pub blocked_steps: u64,
    /// Cosine above which a contact normal opposes the direction of travel head-on, which blocks
    /// the behaviour at once. Default 0.7 (45 degrees).
    pub steep_contact_cos: Real,
    /// Radius of the agent's body. Default 0.1.
    pub body_radius: Real,
    /// Motor controller.
    pub control: ControlParams,
}

impl Default for SnsParams {
    fn default() -> Self {
        SnsParams {
            w_untried: 0.8,
            eta: 0.5,
            beta: 0.3,
            generalised_factor: 0.05,
            generalise: true,
            segment_penalty: 0.05,
            eps0: 0.25,
            probe0: 0.5,
            connect_radius: 1.5,
            max_degree: 16,
            contact_backoff: 0.15,
            refine_after: 3,
            max_level: 4,
            max_nodes: 20_000,
            arrive_radius: 0.2,
            stall_steps: 60,
            blocked_steps: 8,
            steep_contact_cos: 0.7,
            body_radius: 0.1,
            control: ControlParams::default(),
        }
    }
}

/// A parameter that failed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamError(pub String);

impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid SNS parameter: {}", self.0)
    }
}

impl std::error::Error for ParamError {}

impl SnsParams {
    /// Checks every rule; one message per broken rule.
    pub fn check(self) -> Result<Self, ParamError> {
        let unit = |v: Real| v.is_finite() && v > 0.0 && v <= 1.0;
        let pos = |v: Real| v.is_finite() && v > 0.0;
        let rules = [
            (unit(self.w_untried), "w_untried must be in (0, 1]"),
            (unit(self.eta), "eta must be in (0, 1]"),
            (unit(self.beta) && self.beta < 1.0, "beta must be in (0, 1)"),
            (
                unit(self.generalised_factor),
                "generalised_factor must be in (0, 1]",
            ),
            (
                self.segment_penalty.is_finite() && self.segment_penalty >= 0.0,
                "segment_penalty must be >= 0",
            ),
            (
                pos(self.eps0) && pos(self.probe0) && pos(self.connect_radius),
                "eps0, probe0 and connect_radius must be > 0",
            ),
            (
                self.max_degree > 0 && self.max_nodes > 2,
                "max_degree must be > 0 and max_nodes > 2",
            ),
            (
                pos(self.arrive_radius) && pos(self.body_radius),
                "arrive_radius and body_radius must be > 0",
            ),
            (
                pos(self.control.cruise_speed) && pos(self.control.dt),
                "cruise_speed and dt must be > 0",
            ),
        ];
        for (ok, msg) in rules {
            if !ok {
                return Err(ParamError(msg.to_string()));
            }
        }
        Ok(self)
    }

    /// The planning constants handed to the substrate.
    pub fn costs(&self) -> PlanCosts {
        PlanCosts {
            segment_penalty: self.segment_penalty,
            generalised_factor: self.generalised_factor,
            generalise: self.generalise,
            body_radius: self.body_radius,
        }
    }

    /// Equivalence radius at `level`.
    pub fn eps(&self, level: u8) -> Real {
        self.eps0 / (1u32 << level) as Real
    }

    /// Probe distance at `level`.
    pub fn probe(&self, level: u8) -> Real {
        self.probe0 / (1u32 << level) as Real
    }
}
