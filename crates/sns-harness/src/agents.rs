//! Agents by name, as the command line and the benchmark choose them.

use sns_baselines::{Bug2, DStarLite, LiveMap, Oracle, RandomWalk};
use sns_core::{Agent, Sns, SnsParams, Symbolic};
use sns_neural::{CodeParams, MotionSignal, Neural, NeuralParams, SelfMotion, DEFAULT_DIMS};

/// Which agent to build, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentSpec {
    /// Agent name: `sns` (more with the baselines).
    pub name: String,
    /// Substrate of SNS: `symbolic` (or `neural`).
    pub substrate: String,
    /// SNS parameters.
    pub params: SnsParams,
    /// Dimension of the neural substrate's harmonic code (`--dims`). Default 192.
    pub dims: usize,
    /// Self-motion sensing (neural substrate): the agent is given its position only at the start
    /// of each trial and navigates on its path-integrated code. Default false.
    pub self_motion: bool,
    /// Grid resolution of the `dstar` baseline in metres. Default 0.25.
    pub dstar_resolution: f64,
}

impl Default for AgentSpec {
    fn default() -> Self {
        AgentSpec {
            name: "sns".into(),
            substrate: "symbolic".into(),
            params: SnsParams::default(),
            dims: DEFAULT_DIMS,
            self_motion: false,
            dstar_resolution: 0.25,
        }
    }
}

/// The names of the agents that can be built.
pub const AGENTS: &[&str] = &["sns", "random", "bug2", "dstar", "oracle"];

/// What a run gives the agent it builds besides the spec.
#[derive(Debug, Clone)]
pub struct AgentContext {
    /// The run's seed (the random walk's RNG is seeded from it).
    pub seed: u64,
    /// The true map as it changes; only the `oracle` reads it.
    pub map: LiveMap,
}

/// Parses an agent as written on the command line: `NAME` or `NAME:PARAM`, where PARAM is the
/// substrate for `sns` (`sns:neural`) and the grid resolution in metres for `dstar` (`dstar:0.1`).
pub fn parse_agent(s: &str) -> Result<AgentSpec, String> {
    let (name, param) = match s.split_once(':') {
        Some((n, p)) => (n, Some(p)),
        None => (s, None),
    };
    if !AGENTS.contains(&name) {
        return Err(format!(
            "unknown agent '{name}' (expected one of: {})",
            AGENTS.join(", ")
        ));
    }
    let mut spec = AgentSpec {
        name: name.to_string(),
        ..AgentSpec::default()
    };
    match (name, param) {
        (_, None) => {}
        ("sns", Some(sub)) => spec.substrate = sub.to_string(),
        ("dstar", Some(r)) => {
            spec.dstar_resolution = r
                .parse::<f64>()
                .map_err(|_| format!("dstar resolution '{r}' is not a number"))?;
        }
        (n, Some(p)) => return Err(format!("agent '{n}' takes no parameter (got '{p}')")),
    }
    Ok(spec)
}

/// Builds the agent; an error message names what was wrong.
pub fn make_agent(spec: &AgentSpec, ctx: &AgentContext) -> Result<Box<dyn Agent + Send>, String> {
    let params = spec.params.check().map_err(|e| e.to_string())?;
    if spec.name != "sns" && (spec.self_motion || spec.dims != DEFAULT_DIMS) {
        return Err(format!(
            "--self-motion and --dims apply to the SNS agent's neural substrate, not to '{}'",
            spec.name
        ));
    }
    // Every baseline drives with the same controller parameters as SNS.
    let control = params.control;
    match (spec.name.as_str(), spec.substrate.as_str()) {
        ("random", _) => Ok(Box::new(RandomWalk::new(ctx.seed, control))),
        ("bug2", _) => Ok(Box::new(Bug2::new(control))),
        ("dstar", _) => {
            let r = spec.dstar_resolution;
            if !(r.is_finite() && (0.05..=2.0).contains(&r)) {
                return Err(format!("dstar resolution {r} m is outside [0.05, 2] m"));
            }
            // The grid must fit the largest task on this map (its diagonal apart): checked
            // before anything is allocated.
            let span = ctx.map.newer_than(None).map_or(0.0, |(_, m)| {
                (m.rows() as f64).hypot(m.cols() as f64) * sns_worlds::maze::CELL_SIZE
            });
            let agent = DStarLite::for_world(r, control, span).map_err(|e| e.to_string())?;
            Ok(Box::new(agent))
        }
        ("oracle", _) => Ok(Box::new(Oracle::new(ctx.map.clone(), control))),
        ("sns", "symbolic") => {
            if spec.self_motion {
                return Err("--self-motion needs the neural substrate (--substrate neural)".into());
            }
            if spec.dims != DEFAULT_DIMS {
                return Err(
                    "--dims applies to the neural substrate only (--substrate neural)".into(),
                );
            }
            Ok(Box::new(Sns::new(params, Symbolic::new())))
        }
        ("sns", "neural") => {
            let code = CodeParams {
                dims: spec.dims,
                ..CodeParams::default()
            };
            // The harmonic code is unique only within lambda_max / 2 of the origin (the start of
            // the maze's frame); refuse worlds that reach beyond it rather than alias silently.
            if let Some((_, map)) = ctx.map.newer_than(None) {
                let reach =
                    (map.rows() as f64).hypot(map.cols() as f64) * sns_worlds::maze::CELL_SIZE;
                if reach > code.lambda_max / 2.0 {
                    return Err(format!(
                        "maze '{}' spans {reach:.0} m, beyond the {:.0} m within which the neural code is unique",
                        map.name,
                        code.lambda_max / 2.0
                    ));
                }
            }
            let sub = Neural::new(NeuralParams { code }).map_err(|e| e.to_string())?;
            let agent = Sns::new(params, sub);
            if spec.self_motion {
                let dt = params.control.dt;
                let wrapped = SelfMotion::new(agent, code, MotionSignal::Velocity, dt)
                    .map_err(|e| e.to_string())?;
                Ok(Box::new(wrapped))
            } else {
                Ok(Box::new(agent))
            }
        }
        ("sns", other) => Err(format!(
            "unknown substrate '{other}' (expected symbolic or neural)"
        )),
        (other, _) => Err(format!(
            "unknown agent '{other}' (expected one of: {})",
            AGENTS.join(", ")
        )),
    }
}
