//! Agents by name, as the command line and the benchmark choose them.
//!
//! An agent is written `NAME` or `NAME:PARAM` and parsed once into an [`AgentKind`]; everything
//! downstream matches on the enum, never on the text.

use crate::control::{ControlWorldKind, LiveOracle};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sns_baselines::{Bug2, DStarError, DStarLite, LiveMap, Oracle, RandomWalk};
use sns_core::system::{Geometry, SystemDomain, SystemParams, SystemSns, SystemSubstrate};
use sns_core::{MazeAgent, MazeDomain, Sns, Symbolic, ValidMazeParams};
use sns_neural::{
    CodeParams, MotionSignal, Neural, NeuralError, NeuralParams, NeuralSystem, SelfMotion,
    StateCodeParams,
};
use sns_spaces::{Agent, Point, Region, Sensed, StateSpace, Task};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use thiserror::Error;

/// The largest dimension of the neural substrate's code (`--dims`). Every node stores the code
/// (16 bytes per dimension), so at the default node budget of 20000 this is about 0.5 GB; the
/// limit is checked before anything is allocated.
pub const MAX_DIMS: usize = 1536;

/// The substrate the SNS agent runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SubstrateKind {
    /// Explicit graph (`sns_core::Symbolic`).
    #[default]
    Symbolic,
    /// Grid-cell code (`sns_neural::Neural`).
    Neural,
}

impl SubstrateKind {
    /// `symbolic` or `neural`.
    pub fn name(self) -> &'static str {
        match self {
            SubstrateKind::Symbolic => "symbolic",
            SubstrateKind::Neural => "neural",
        }
    }
}

impl FromStr for SubstrateKind {
    type Err = AgentError;
    fn from_str(s: &str) -> Result<Self, AgentError> {
        match s {
            "symbolic" => Ok(SubstrateKind::Symbolic),
            "neural" => Ok(SubstrateKind::Neural),
            _ => Err(AgentError::UnknownSubstrate(s.to_string())),
        }
    }
}

/// Which agent: parsed once from `NAME` or `NAME:PARAM` (`sns:neural`, `dstar:0.1`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AgentKind {
    /// Systematic Neural Search on a substrate.
    Sns {
        /// The substrate.
        substrate: SubstrateKind,
    },
    /// Random walk.
    Random,
    /// Bug2.
    Bug2,
    /// D* Lite on an occupancy grid.
    DStar {
        /// Grid resolution in metres, in [`DSTAR_RESOLUTION`].
        resolution: f64,
    },
    /// Plans on the true map.
    Oracle,
}

impl Default for AgentKind {
    /// `sns` on the symbolic substrate.
    fn default() -> Self {
        AgentKind::Sns {
            substrate: SubstrateKind::Symbolic,
        }
    }
}

/// Valid grid resolutions of the `dstar` agent, in metres.
pub const DSTAR_RESOLUTION: std::ops::RangeInclusive<f64> = 0.05..=2.0;

/// The `dstar` agent's default grid resolution, in metres.
pub const DSTAR_DEFAULT_RESOLUTION: f64 = 0.25;

/// The names of the agents that can be built.
pub const AGENTS: &[&str] = &["sns", "random", "bug2", "dstar", "oracle"];

impl AgentKind {
    /// The agent's name without its parameter (`sns`, `dstar`).
    pub fn name(&self) -> &'static str {
        match self {
            AgentKind::Sns { .. } => "sns",
            AgentKind::Random => "random",
            AgentKind::Bug2 => "bug2",
            AgentKind::DStar { .. } => "dstar",
            AgentKind::Oracle => "oracle",
        }
    }

    /// Parses `NAME` or `NAME:PARAM`; a bare `sns` gets `substrate` (the `--substrate` flag) when
    /// given, and `sns:SUB` must agree with it. `substrate` is refused for the other agents.
    pub fn parse_with_substrate(
        s: &str,
        substrate: Option<SubstrateKind>,
    ) -> Result<AgentKind, AgentError> {
        let kind: AgentKind = s.parse()?;
        match (kind, substrate) {
            (_, None) => Ok(kind),
            (AgentKind::Sns { substrate: own }, Some(flag)) if !s.contains(':') || own == flag => {
                Ok(AgentKind::Sns { substrate: flag })
            }
            (AgentKind::Sns { substrate: own }, Some(flag)) => {
                Err(AgentError::SubstrateConflict { own, flag })
            }
            (other, Some(_)) => Err(AgentError::NotSns {
                flag: "--substrate",
                agent: other.name(),
            }),
        }
    }
}

impl FromStr for AgentKind {
    type Err = AgentError;
    /// Parses an agent as written on the command line: `NAME` or `NAME:PARAM`, where PARAM is the
    /// substrate for `sns` (`sns:neural`) and the grid resolution in metres for `dstar`
    /// (`dstar:0.1`).
    fn from_str(s: &str) -> Result<AgentKind, AgentError> {
        let (name, param) = match s.split_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (s, None),
        };
        let kind = match name {
            "sns" => AgentKind::Sns {
                substrate: param.map_or(Ok(SubstrateKind::Symbolic), str::parse)?,
            },
            "dstar" => {
                let resolution = match param {
                    None => DSTAR_DEFAULT_RESOLUTION,
                    Some(r) => r
                        .parse::<f64>()
                        .map_err(|_| AgentError::BadResolution(r.to_string()))?,
                };
                if !(resolution.is_finite() && DSTAR_RESOLUTION.contains(&resolution)) {
                    return Err(AgentError::ResolutionOutOfRange(resolution));
                }
                AgentKind::DStar { resolution }
            }
            "random" | "bug2" | "oracle" => {
                if let Some(p) = param {
                    return Err(AgentError::NoParameter {
                        agent: name.to_string(),
                        param: p.to_string(),
                    });
                }
                match name {
                    "random" => AgentKind::Random,
                    "bug2" => AgentKind::Bug2,
                    _ => AgentKind::Oracle,
                }
            }
            _ => return Err(AgentError::UnknownAgent(name.to_string())),
        };
        Ok(kind)
    }
}

impl fmt::Display for AgentKind {
    /// The canonical spelling: `sns`, `sns:neural`, `dstar` (default resolution), `dstar:0.1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AgentKind::Sns {
                substrate: SubstrateKind::Symbolic,
            } => f.write_str("sns"),
            AgentKind::Sns { substrate } => write!(f, "sns:{}", substrate.name()),
            AgentKind::DStar { resolution } if *resolution == DSTAR_DEFAULT_RESOLUTION => {
                f.write_str("dstar")
            }
            AgentKind::DStar { resolution } => write!(f, "dstar:{resolution}"),
            other => f.write_str(other.name()),
        }
    }
}

/// Why an agent could not be parsed or built.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum AgentError {
    /// No agent has this name.
    #[error("unknown agent '{0}' (expected one of: sns, random, bug2, dstar, oracle)")]
    UnknownAgent(String),
    /// No substrate has this name.
    #[error("unknown substrate '{0}' (expected symbolic or neural)")]
    UnknownSubstrate(String),
    /// `dstar:RES` where RES is not a number.
    #[error("dstar resolution '{0}' is not a number")]
    BadResolution(String),
    /// `dstar:RES` outside [`DSTAR_RESOLUTION`].
    #[error("dstar resolution {0} m is outside [0.05, 2] m")]
    ResolutionOutOfRange(f64),
    /// `random:X`, `bug2:X`, `oracle:X`.
    #[error("agent '{agent}' takes no parameter (got '{param}')")]
    NoParameter {
        /// The agent.
        agent: String,
        /// The parameter given.
        param: String,
    },
    /// `sns:SUB` together with a different `--substrate`.
    #[error("sns:{} contradicts --substrate {}", own.name(), flag.name())]
    SubstrateConflict {
        /// The substrate in the agent's name.
        own: SubstrateKind,
        /// The substrate of the flag.
        flag: SubstrateKind,
    },
    /// A flag of the SNS agent given to another agent.
    #[error("{flag} applies to the SNS agent, not to '{agent}'")]
    NotSns {
        /// The flag.
        flag: &'static str,
        /// The agent it was given to.
        agent: &'static str,
    },
    /// A flag of the neural substrate given to the symbolic one.
    #[error("{flag} applies to the neural substrate only (--substrate neural)")]
    NeuralOnly {
        /// The flag.
        flag: &'static str,
    },
    /// `--dims` above [`MAX_DIMS`].
    #[error("--dims {dims}: at most {MAX_DIMS}")]
    TooManyDims {
        /// The dimension asked for.
        dims: usize,
    },
    /// An explicit `--dims` too small for the maze: the code would have to stretch its range with
    /// a coarser scale ratio than the default's (`sns_neural::CodeParams::for_reach`).
    #[error("--dims {dims} is too small for maze '{maze}' ({extent:.0} m across): at least {min}, or leave --dims out to derive it from the maze")]
    TooFewDims {
        /// Maze name.
        maze: String,
        /// Its diagonal in metres.
        extent: f64,
        /// The dimension asked for.
        dims: usize,
        /// The fewest dims for this maze.
        min: usize,
    },
    /// The neural substrate refused its parameters.
    #[error(transparent)]
    Neural(#[from] NeuralError),
    /// An agent that steers toward the goal's position, asked to run in search mode.
    #[error("{0} needs the goal's position and cannot run with --hide-goal (sns and random can)")]
    NeedsGoal(&'static str),
    /// D* Lite refused its grid (too fine for the map).
    #[error(transparent)]
    DStar(#[from] DStarError),
    /// A maze agent (bug2, dstar) asked to run on a classic-control world.
    #[error(
        "agent '{agent}' drives in mazes only; on the control world {world} use random or oracle"
    )]
    MazeOnly {
        /// The agent.
        agent: &'static str,
        /// The control world.
        world: &'static str,
    },
    /// `--agent oracle` on a control world that has no oracle.
    #[error("{world} has no oracle; use random")]
    NoOracle {
        /// The control world.
        world: &'static str,
    },
    /// `--self-motion` on a control world: path integration is built for the maze's plane only.
    #[error("--self-motion applies to mazes, not to the classic-control world {world}")]
    SelfMotionOnControl {
        /// The control world.
        world: &'static str,
    },
    /// The control SNS agent refused the task or its parameters.
    #[error(transparent)]
    System(#[from] sns_core::system::SystemError),
}

/// Parses an agent as written on the command line (see [`AgentKind`]'s `FromStr`).
pub fn parse_agent(s: &str) -> Result<AgentKind, AgentError> {
    s.parse()
}

/// Which agent to build, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentSpec {
    /// The agent. Default `sns` (symbolic substrate).
    pub kind: AgentKind,
    /// SNS parameters on a maze (checked); the baselines drive with their controller parameters.
    pub params: ValidMazeParams,
    /// SNS parameters on a control world (checked when the agent is built).
    pub system: SystemParams,
    /// Dimension of the neural substrate's harmonic code (`--dims`). Default `None`: derived from
    /// the world's extent (`sns_neural::CodeParams::for_reach`), 192 on every world up to 80 m
    /// across, which includes every built-in maze.
    pub dims: Option<usize>,
    /// Self-motion sensing (neural substrate): the agent is given its position only at the start
    /// of each trial and navigates on its path-integrated code. Default false.
    pub self_motion: bool,
}

impl Default for AgentSpec {
    fn default() -> Self {
        AgentSpec::new(AgentKind::default())
    }
}

impl AgentSpec {
    /// `kind` with the default parameters.
    pub fn new(kind: AgentKind) -> AgentSpec {
        AgentSpec {
            kind,
            params: ValidMazeParams::default(),
            system: SystemParams::default(),
            dims: None,
            self_motion: false,
        }
    }

    /// Checks what can be checked without a world: the flags that apply to the agent.
    pub fn check(&self) -> Result<(), AgentError> {
        let neural = matches!(
            self.kind,
            AgentKind::Sns {
                substrate: SubstrateKind::Neural
            }
        );
        if !neural {
            for (given, flag) in [
                (self.self_motion, "--self-motion"),
                (self.dims.is_some(), "--dims"),
            ] {
                if given {
                    return Err(match self.kind {
                        AgentKind::Sns { .. } => AgentError::NeuralOnly { flag },
                        other => AgentError::NotSns {
                            flag,
                            agent: other.name(),
                        },
                    });
                }
            }
        }
        if let Some(dims) = self.dims.filter(|&d| d > MAX_DIMS) {
            return Err(AgentError::TooManyDims { dims });
        }
        Ok(())
    }
}

/// What a run gives the agent it builds besides the spec.
#[derive(Debug, Clone)]
pub struct AgentContext {
    /// The run's seed (the random walk's RNG is seeded from it).
    pub seed: u64,
    /// The true map as it changes; only the `oracle` reads it.
    pub map: LiveMap,
    /// Search mode: the goal's position is not sensed, only success (`--hide-goal`).
    pub hide_goal: bool,
}

/// Builds the agent.
pub fn make_agent(
    spec: &AgentSpec,
    ctx: &AgentContext,
) -> Result<Box<dyn MazeAgent + Send>, AgentError> {
    spec.check()?;
    // Bug2 follows the line to the goal, D* Lite plans to it, the oracle knows it: without the
    // goal's position they have nothing to steer by. SNS searches, the random walk never looks.
    if ctx.hide_goal
        && matches!(
            spec.kind,
            AgentKind::Bug2 | AgentKind::DStar { .. } | AgentKind::Oracle
        )
    {
        return Err(AgentError::NeedsGoal(spec.kind.name()));
    }
    let params = spec.params;
    // Every baseline drives with the same controller parameters as SNS.
    let control = params.control;
    match spec.kind {
        AgentKind::Random => Ok(Box::new(RandomWalk::new(ctx.seed, control))),
        AgentKind::Bug2 => Ok(Box::new(Bug2::new(control))),
        AgentKind::DStar { resolution } => {
            // The grid is laid over the map's box (told to the agent as the world's extent, not
            // its walls), checked against the cell limit before anything is allocated. A world
            // changes its cells, never its size.
            let bounds = ctx.map.newer_than(None).map_or(
                sns_worlds::math::Aabb {
                    min: sns_worlds::Vec2::ZERO,
                    max: sns_worlds::Vec2::ZERO,
                },
                |(_, m)| m.bounds(),
            );
            Ok(Box::new(DStarLite::for_world(
                resolution, control, bounds.min, bounds.max,
            )?))
        }
        AgentKind::Oracle => Ok(Box::new(Oracle::new(ctx.map.clone(), control))),
        AgentKind::Sns {
            substrate: SubstrateKind::Symbolic,
        } => Ok(Box::new(Sns::new(MazeDomain::new(params, Symbolic::new())))),
        AgentKind::Sns {
            substrate: SubstrateKind::Neural,
        } => {
            // The harmonic code is unique only within lambda_max / 2 of the origin, the centre of
            // the maze's frame: lay its modules out from the farthest point of the map (half its
            // diagonal) rather than alias silently. No map (never the case in a run): the default.
            let (maze, extent) = ctx
                .map
                .newer_than(None)
                .map_or((String::new(), 0.0), |(_, m)| {
                    let extent =
                        (m.rows() as f64).hypot(m.cols() as f64) * sns_worlds::maze::CELL_SIZE;
                    (m.name.clone(), extent)
                });
            let code = match CodeParams::for_reach(extent / 2.0, spec.dims) {
                Err(NeuralError::TooFewDims { dims, min, .. }) => {
                    return Err(AgentError::TooFewDims {
                        maze,
                        extent,
                        dims,
                        min,
                    })
                }
                other => other?,
            };
            // A derived layout is bounded too (a map file far larger than any generator makes).
            if code.dims > MAX_DIMS {
                return Err(AgentError::TooManyDims { dims: code.dims });
            }
            let sub = Neural::new(NeuralParams { code })?;
            let agent = Sns::new(MazeDomain::new(params, sub));
            if spec.self_motion {
                let dt = params.control.dt;
                let wrapped = SelfMotion::new(agent, code, MotionSignal::Velocity, dt)?;
                Ok(Box::new(wrapped))
            } else {
                Ok(Box::new(agent))
            }
        }
    }
}

/// What a run on a control world gives the agent it builds besides the spec.
#[derive(Clone)]
pub struct ControlAgentContext<const D: usize, const A: usize> {
    /// The world (for messages).
    pub world: ControlWorldKind,
    /// The run's seed (the random agent's generator is seeded from it).
    pub seed: u64,
    /// The task as the agent is told it (without the goal region in search mode).
    pub task: Task<D, A>,
    /// Search mode (`--hide-goal`).
    pub hide_goal: bool,
    /// The world's oracle as the world is now, when it has one; only the `oracle` agent reads it.
    pub oracle: Option<LiveOracle<D>>,
}

/// Checks that `spec` can run on `world` (with `hide_goal`), before anything is built.
pub fn check_control_agent(
    spec: &AgentSpec,
    world: ControlWorldKind,
    hide_goal: bool,
) -> Result<(), AgentError> {
    spec.check()?;
    match spec.kind {
        AgentKind::Bug2 | AgentKind::DStar { .. } => Err(AgentError::MazeOnly {
            agent: spec.kind.name(),
            world: world.name(),
        }),
        AgentKind::Oracle if !world.has_oracle() => Err(AgentError::NoOracle {
            world: world.name(),
        }),
        AgentKind::Oracle if hide_goal => Err(AgentError::NeedsGoal("oracle")),
        // What SNS's constructor refuses is found by building it (`check_control_run` does).
        AgentKind::Sns { .. } | AgentKind::Random | AgentKind::Oracle => Ok(()),
    }
}

/// A place of a control agent's graph, as a picture shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlaceView {
    /// The place's id (places are numbered from 0 in order of creation).
    pub id: u32,
    /// Its centre in state coordinates (periodic axes wrapped).
    pub state: Vec<f64>,
    /// Its most effective tried primitive, when it has one: where that primitive's learned
    /// outcome leads (one place's width along the predicted flow, in state coordinates, not
    /// wrapped, so that a short segment from `state` shows it) and its effectiveness.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge: Option<PlaceEdge>,
}

/// The edge of a [`PlaceView`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlaceEdge {
    /// Where it leads (state coordinates, not wrapped).
    pub to: Vec<f64>,
    /// Its effectiveness, in [0, 1].
    pub w: f64,
}

/// A control agent as the runner holds it: it acts, and shows its graph's places when it has
/// a graph (for `sns run --plot` and `--report`). Reading the places changes nothing the agent
/// does.
pub trait ControlRunAgent<const D: usize, const A: usize>:
    Agent<Sensed<D>, Point<A>> + Send
{
    /// How many places its graph has (0 for agents without one).
    fn place_count(&self) -> usize {
        0
    }
    /// The places of its graph, in order of creation, every `every`-th one (from 0, `every`
    /// taken as at least 1); `space` is the state space of its task.
    fn places(&self, _space: &StateSpace<D>, _every: usize) -> Vec<PlaceView> {
        Vec::new()
    }
    /// The goal region it was told moved (a scenario moved the goal, which is sensed unless
    /// hidden): it plans to `goal` from now on. Agents without a goal ignore it.
    fn goal_moved(&mut self, _goal: Arc<dyn Region<D>>) {}
}

impl<const D: usize, const A: usize, S: SystemSubstrate<D> + Send> ControlRunAgent<D, A>
    for SystemSns<D, A, S>
{
    fn place_count(&self) -> usize {
        self.domain().substrate().len()
    }

    fn goal_moved(&mut self, goal: Arc<dyn Region<D>>) {
        self.domain_mut().set_goal(goal);
    }

    fn places(&self, space: &StateSpace<D>, every: usize) -> Vec<PlaceView> {
        let mem = self.domain().substrate();
        let params = self.domain().params();
        let geo = Geometry::new(*space, params.cell);
        let prims = self.domain().primitives().all();
        let scale = *space.scale();
        (0..mem.len())
            .step_by(every.max(1))
            .map(|i| {
                let p = i as u32;
                let u = mem.centre(p);
                let x = geo.from_u(&u);
                let best = (0..prims.len())
                    .filter_map(|k| mem.effectiveness(p, k).map(|w| (k, w)))
                    .fold(None, |acc: Option<(usize, f64)>, (k, w)| match acc {
                        Some((_, bw)) if bw >= w => acc,
                        _ => Some((k, w)),
                    });
                let edge = best.and_then(|(k, w)| {
                    let flow = mem.predict(&u, prims[k].level_index, params.kernel_radius)?;
                    let n = flow.iter().map(|f| f * f).sum::<f64>().sqrt();
                    (n > 0.0 && n.is_finite()).then(|| PlaceEdge {
                        to: (0..D)
                            .map(|d| x[d] + flow[d] / n * params.cell * scale[d])
                            .collect(),
                        w: w.clamp(0.0, 1.0),
                    })
                });
                PlaceView {
                    id: p,
                    state: x.to_vec(),
                    edge,
                }
            })
            .collect()
    }
}

impl<const D: usize, const A: usize> ControlRunAgent<D, A> for RandomControl<A> {}
impl<const D: usize, const A: usize> ControlRunAgent<D, A> for OracleControl<D> {}

/// Builds the agent for a control world: the one place where agents meet control worlds.
pub fn make_control_agent<const D: usize, const A: usize>(
    spec: &AgentSpec,
    ctx: &ControlAgentContext<D, A>,
) -> Result<Box<dyn ControlRunAgent<D, A>>, AgentError> {
    check_control_agent(spec, ctx.world, ctx.hide_goal)?;
    match spec.kind {
        AgentKind::Random => Ok(Box::new(RandomControl::new(ctx.seed, &ctx.task))),
        AgentKind::Oracle => match &ctx.oracle {
            Some(o) => Ok(Box::new(OracleControl { oracle: o.clone() })),
            None => Err(AgentError::NoOracle {
                world: ctx.world.name(),
            }),
        },
        AgentKind::Sns {
            substrate: SubstrateKind::Symbolic,
        } => Ok(Box::new(
            SystemDomain::<D, A>::new(ctx.task.clone(), spec.system, ctx.seed).map(Sns::new)?,
        )),
        AgentKind::Sns {
            substrate: SubstrateKind::Neural,
        } => {
            if spec.self_motion {
                return Err(AgentError::SelfMotionOnControl {
                    world: ctx.world.name(),
                });
            }
            // The state-space code is laid out from the task (its dimension, the places' cell
            // and the normalised box), seeded from the run's seed.
            let params = spec.system;
            params.validate()?;
            let geometry = Geometry::new(ctx.task.space, params.cell);
            let code = StateCodeParams::for_geometry(&geometry, spec.dims, ctx.seed)?;
            if code.dims > MAX_DIMS {
                return Err(AgentError::TooManyDims { dims: code.dims });
            }
            let mem = NeuralSystem::new(geometry, params.kernel_radius.max(params.cell), code);
            Ok(Box::new(
                SystemDomain::with_substrate(ctx.task.clone(), params, ctx.seed, mem)
                    .map(Sns::new)?,
            ))
        }
        AgentKind::Bug2 | AgentKind::DStar { .. } => Err(AgentError::MazeOnly {
            agent: spec.kind.name(),
            world: ctx.world.name(),
        }),
    }
}

/// The random policy on a control world: at every step an action drawn uniformly from the
/// action box, or from the discrete levels when the world has them.
#[derive(Debug, Clone)]
pub struct RandomControl<const A: usize> {
    rng: ChaCha8Rng,
    low: Point<A>,
    high: Point<A>,
    levels: Option<Vec<Point<A>>>,
}

impl<const A: usize> RandomControl<A> {
    /// A random policy for `task`, seeded from `seed` (on its own stream: the world's reset is
    /// seeded with the same number).
    pub fn new<const D: usize>(seed: u64, task: &Task<D, A>) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(1);
        let bounded = |x: f64| if x.is_finite() { x } else { 0.0 };
        Self {
            rng,
            low: task.actions.low().map(bounded),
            high: task.actions.high().map(bounded),
            levels: task.levels.clone().filter(|l| !l.is_empty()),
        }
    }
}

impl<const D: usize, const A: usize> Agent<Sensed<D>, Point<A>> for RandomControl<A> {
    fn name(&self) -> &str {
        "random"
    }
    fn begin_trial(&mut self, _obs: &Sensed<D>) {}
    fn act(&mut self, _obs: &Sensed<D>) -> Point<A> {
        match &self.levels {
            Some(l) => l[self.rng.gen_range(0..l.len())],
            None => std::array::from_fn(|i| {
                let (lo, hi) = (self.low[i], self.high[i]);
                if hi > lo {
                    self.rng.gen_range(lo..=hi)
                } else {
                    lo
                }
            }),
        }
    }
    fn end_trial(&mut self, _success: bool) {}
}

/// The oracle's policy on a control world: the action its table prefers at the sensed state.
pub struct OracleControl<const D: usize> {
    oracle: LiveOracle<D>,
}

impl<const D: usize, const A: usize> Agent<Sensed<D>, Point<A>> for OracleControl<D> {
    fn name(&self) -> &str {
        "oracle"
    }
    fn begin_trial(&mut self, _obs: &Sensed<D>) {}
    fn act(&mut self, obs: &Sensed<D>) -> Point<A> {
        let a = {
            // A poisoned lock only means a writer panicked mid-swap of an `Arc`: still whole.
            let o = self.oracle.read().unwrap_or_else(|p| p.into_inner());
            o.best_action(obs.state)
        };
        std::array::from_fn(|i| if i == 0 { a } else { 0.0 })
    }
    fn end_trial(&mut self, _success: bool) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_parse_once_into_their_kind_and_print_back() {
        for (s, kind) in [
            (
                "sns",
                AgentKind::Sns {
                    substrate: SubstrateKind::Symbolic,
                },
            ),
            (
                "sns:neural",
                AgentKind::Sns {
                    substrate: SubstrateKind::Neural,
                },
            ),
            ("random", AgentKind::Random),
            ("bug2", AgentKind::Bug2),
            ("dstar", AgentKind::DStar { resolution: 0.25 }),
            ("dstar:0.1", AgentKind::DStar { resolution: 0.1 }),
            ("oracle", AgentKind::Oracle),
        ] {
            assert_eq!(s.parse::<AgentKind>(), Ok(kind), "{s}");
            assert_eq!(kind.to_string(), s);
        }
    }

    /// Regression: `dstar:0` was accepted by the parser and refused only when the agent was built,
    /// after a benchmark had run every other job.
    #[test]
    fn bad_agents_are_refused_when_parsed() {
        for (s, want) in [
            ("dstar:0", AgentError::ResolutionOutOfRange(0.0)),
            ("dstar:nan", AgentError::ResolutionOutOfRange(f64::NAN)),
            ("dstar:x", AgentError::BadResolution("x".into())),
            (
                "sns:quantum",
                AgentError::UnknownSubstrate("quantum".into()),
            ),
            ("nobody", AgentError::UnknownAgent("nobody".into())),
        ] {
            let got = s.parse::<AgentKind>().expect_err(s);
            // NaN != NaN: compare the messages.
            assert_eq!(got.to_string(), want.to_string(), "{s}");
        }
        assert!(matches!(
            "bug2:3".parse::<AgentKind>(),
            Err(AgentError::NoParameter { .. })
        ));
    }

    /// Regression: `--agent sns:neural --substrate symbolic` ran the neural substrate in silence.
    #[test]
    fn the_substrate_flag_must_agree_with_the_agent() {
        use SubstrateKind::*;
        let p = AgentKind::parse_with_substrate;
        assert_eq!(
            p("sns", Some(Neural)),
            Ok(AgentKind::Sns { substrate: Neural })
        );
        assert_eq!(
            p("sns:neural", Some(Neural)),
            Ok(AgentKind::Sns { substrate: Neural })
        );
        assert_eq!(
            p("sns:neural", Some(Symbolic)),
            Err(AgentError::SubstrateConflict {
                own: Neural,
                flag: Symbolic
            })
        );
        assert!(matches!(
            p("bug2", Some(Symbolic)),
            Err(AgentError::NotSns { .. })
        ));
    }

    #[test]
    fn neural_flags_and_sizes_are_checked_before_building() {
        let neural = AgentKind::Sns {
            substrate: SubstrateKind::Neural,
        };
        let spec = |kind, dims: usize, self_motion| AgentSpec {
            dims: Some(dims),
            self_motion,
            ..AgentSpec::new(kind)
        };
        assert!(spec(neural, 192, true).check().is_ok());
        assert_eq!(
            spec(neural, MAX_DIMS + 12, false).check(),
            Err(AgentError::TooManyDims {
                dims: MAX_DIMS + 12
            })
        );
        assert!(matches!(
            spec(AgentKind::default(), 96, false).check(),
            Err(AgentError::NeuralOnly { flag: "--dims" })
        ));
        assert!(matches!(
            spec(AgentKind::Bug2, 192, true).check(),
            Err(AgentError::NotSns {
                flag: "--self-motion",
                ..
            })
        ));
    }

    /// Regression: the neural substrate refused every map wider than 50 m (issue 11); it now
    /// derives its layout from the map, and an explicit `--dims` too small for it is refused in
    /// one line naming the minimum.
    #[test]
    fn the_neural_layout_follows_the_maze() {
        let neural = AgentKind::Sns {
            substrate: SubstrateKind::Neural,
        };
        let ctx = |spec: &str| AgentContext {
            seed: 0,
            map: LiveMap::new(sns_worlds::MazeMap::load(spec).unwrap()),
            hide_goal: false,
        };
        let with = |dims| AgentSpec {
            dims,
            ..AgentSpec::new(neural)
        };
        // 201 x 201 cells, 284 m across: derived (240 dims), or explicit at least that.
        let big = ctx("perfect:100x100:1");
        assert!(make_agent(&with(None), &big).is_ok());
        assert!(make_agent(&with(Some(240)), &big).is_ok());
        let e = make_agent(&with(Some(192)), &big).err().unwrap();
        assert_eq!(
            e,
            AgentError::TooFewDims {
                maze: "perfect100x100s1".into(),
                extent: 201.0_f64.hypot(201.0),
                dims: 192,
                min: 240
            }
        );
        let msg = e.to_string();
        assert!(msg.contains("at least 240") && !msg.contains('\n'), "{msg}");
        // Within the default range any valid explicit layout runs, as before.
        assert!(make_agent(&with(Some(96)), &ctx("u")).is_ok());
        assert!(make_agent(&with(Some(96)), &ctx("perfect:20x20:1")).is_ok());
        assert!(matches!(
            make_agent(&with(Some(100)), &ctx("u")),
            Err(AgentError::Neural(NeuralError::Dims { dims: 100, .. }))
        ));
    }
}
