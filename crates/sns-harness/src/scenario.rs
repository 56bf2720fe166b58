//! Changing worlds: scenario files that name a maze and a schedule of changes.
//!
//! A scenario is a TOML file:
//!
//! ```toml
//! description = "A door closes on the learned route before trial 3."
//! maze = "large"        # built-in name, or a map file (relative to the scenario file)
//! task = 1              # optional: OGBench task; or start = [row, col] and goal = [row, col]
//! seed = 0              # optional default seed for `sns run`
//! trials = 4            # optional default number of trials
//!
//! [[change]]
//! before_trial = 3      # applied before trial 3 starts
//! wall = [[3, 5]]       # cells (row, col) that become walls
//!
//! [[change]]
//! trial = 2             # applied in trial 2 ...
//! step = 150            # ... once the world has taken 150 steps of it
//! free = [[2, 4]]       # cells that become free
//! motor_scale = 0.5     # the motor force is scaled (1 normal)
//! ```
//!
//! A change at `trial = K, step = S` is applied right after step `S` of trial `K`: the observation
//! the agent receives after that step already shows the changed world. `before_trial = K` is the
//! same as `step = 0`: it is applied before the ball is put back at the start. When a cell closes
//! on the ball, [`MazeEnv::set_cell`] pushes the ball out by the nearest face (or to the nearest
//! free cell's centre) and stops it, so the ball is never inside a wall. A change may not wall the
//! task's start or goal cell (the task would become impossible by fiat) nor touch the border.
//!
//! A scenario for a classic-control world ([`ControlScenario`]) names the world instead of a maze
//! and sets its physical parameters by Gymnasium's names, at the start and in changes:
//!
//! ```toml
//! description = "MountainCar's engine loses half its power in the middle of trial 2."
//! world = "mountaincar" # a classic-control world (`sns worlds`)
//! seed = 0              # optional, as above
//! trials = 3            # optional, as above
//!
//! [params]              # optional: set before the first trial
//! goal_velocity = 0.0
//!
//! [[change]]
//! trial = 2             # or before_trial = K, as above
//! step = 40
//! set = { power = 0.00075 }
//! ```
//!
//! | world | parameters (`sns worlds` lists their ranges) |
//! |---|---|
//! | `mountaincar` | `power`, `goal_position`, `goal_velocity`, `goal_left` (0 or 1: 1 puts the goal on the left hill, success at `x <= goal_position` and `v <= -goal_velocity`), `max_speed`, `min_position`, `max_position` |
//! | `pendulum` | `max_speed`, `max_torque`, `dt`, `g`, `m`, `l` |
//! | `acrobot`, `acrobot-continuous` | `dt`, `LINK_LENGTH_1`, `LINK_LENGTH_2`, `LINK_MASS_1`, `LINK_MASS_2`, `LINK_COM_POS_1`, `LINK_COM_POS_2`, `LINK_MOI`, `MAX_VEL_1`, `MAX_VEL_2` |
//! | `cartpole-swingup` | `gravity`, `masscart`, `masspole`, `length`, `force_mag`, `tau`, `x_threshold` |
//!
//! A change applies from the world's next step; it moves nothing (the state stays), and the agent
//! is not told. A change due at a step its trial never reached (success came sooner) is applied
//! when that trial ends, and reported at the step it was applied, so that the trials after it
//! always run in the changed world (a changed `goal_position` is not a changed goal region in the agent's task). An
//! unknown name or a value outside its range ([`sns_control::ParamSpec`]) is an error naming the
//! file, line and column. [`load_any`] reads either kind.

use crate::control::ControlWorldKind;
use serde::Deserialize;
use sns_worlds::env::TaskSpec;
use sns_worlds::maze::{Cell, CellIx};
use sns_worlds::{generate, MazeEnv, MazeMap, Real, Vec2, WorldError};
use std::collections::BTreeMap;
use std::path::Path;

/// One change of the world.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Trial (from 1) in which it happens.
    pub trial: u32,
    /// Steps of that trial after which it happens (0: before the trial starts).
    pub step: u64,
    /// Cells that become walls.
    pub wall: Vec<CellIx>,
    /// Cells that become free.
    pub free: Vec<CellIx>,
    /// New motor force scale, if it changes.
    pub motor_scale: Option<Real>,
}

impl Change {
    /// A one-line description (`trial 3 step 0: wall (3,5); motor x0.5`).
    pub fn describe(&self) -> String {
        let cells = |v: &[CellIx]| {
            v.iter()
                .map(|(r, c)| format!("({r},{c})"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut parts = Vec::new();
        if !self.wall.is_empty() {
            parts.push(format!("wall {}", cells(&self.wall)));
        }
        if !self.free.is_empty() {
            parts.push(format!("free {}", cells(&self.free)));
        }
        if let Some(s) = self.motor_scale {
            parts.push(format!("motor x{s}"));
        }
        format!(
            "trial {} step {}: {}",
            self.trial,
            self.step,
            parts.join("; ")
        )
    }

    /// Applies the change to the world.
    pub fn apply(&self, env: &mut MazeEnv) {
        for &c in &self.wall {
            env.set_cell(c, Cell::Wall);
        }
        for &c in &self.free {
            env.set_cell(c, Cell::Free);
        }
        if let Some(s) = self.motor_scale {
            env.set_motor_scale(s);
        }
    }
}

/// A validated scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Name (the file stem).
    pub name: String,
    /// The file it was read from.
    pub file: String,
    /// What it tests, in words.
    pub description: String,
    /// Maze name or resolved map path.
    pub maze: String,
    /// Start and goal selection.
    pub task: TaskSpec,
    /// Default seed.
    pub seed: Option<u64>,
    /// Default number of trials.
    pub trials: Option<u32>,
    /// Changes, sorted by (trial, step).
    pub changes: Vec<Change>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioToml {
    #[serde(default)]
    description: String,
    maze: toml::Spanned<String>,
    task: Option<toml::Spanned<u32>>,
    // A list, so that a cell of other than two numbers is refused where it is written.
    start: Option<toml::Spanned<Vec<usize>>>,
    goal: Option<toml::Spanned<Vec<usize>>>,
    seed: Option<u64>,
    trials: Option<toml::Spanned<u32>>,
    #[serde(default)]
    change: Vec<toml::Spanned<ChangeToml>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeToml {
    before_trial: Option<u32>,
    trial: Option<u32>,
    step: Option<u64>,
    #[serde(default)]
    wall: Vec<toml::Spanned<Vec<usize>>>,
    #[serde(default)]
    free: Vec<toml::Spanned<Vec<usize>>>,
    motor_scale: Option<Real>,
}

/// 1-based line and column of byte offset `at` in `text`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The text of a scenario file.
fn read_scenario(path: &str) -> Result<String, WorldError> {
    std::fs::read_to_string(path).map_err(|e| WorldError::Io {
        file: path.to_string(),
        reason: e.to_string(),
    })
}

/// A scenario error in `file` at byte `at` of `text` (file: line, column: message).
fn scenario_error(file: &str, text: &str, at: Option<usize>, msg: String) -> WorldError {
    WorldError::Scenario {
        file: file.to_string(),
        reason: match at {
            Some(a) => {
                let (l, c) = line_col(text, a);
                format!("line {l}, column {c}: {msg}")
            }
            None => msg,
        },
    }
}

/// Parses scenario TOML, a syntax or schema error located in the file.
fn parse_toml<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, WorldError> {
    toml::from_str(text).map_err(|e| {
        scenario_error(
            file,
            text,
            e.span().map(|s| s.start),
            e.message().trim_end().to_string(),
        )
    })
}

/// When a change fires, from its `before_trial = K` (step 0 of trial K) or its `trial = K` and
/// `step = S`, checked against the scenario's `trials`; the message of what is wrong otherwise.
fn change_time(
    before_trial: Option<u32>,
    trial: Option<u32>,
    step: Option<u64>,
    trials: Option<u32>,
) -> Result<(u32, u64), String> {
    let (trial, step) = match (before_trial, trial, step) {
        (Some(k), None, None) => (k, 0),
        (None, Some(k), Some(s)) => (k, s),
        _ => {
            return Err(
                "a change needs either `before_trial = K` or both `trial = K` and `step = S`"
                    .into(),
            )
        }
    };
    if trial == 0 {
        return Err("trials are numbered from 1".into());
    }
    if let Some(t) = trials.filter(|&t| trial > t) {
        return Err(format!(
            "this change at trial {trial} never fires: the scenario has trials = {t}"
        ));
    }
    Ok((trial, step))
}

/// A scenario's own `trials`, when given, is in 1..=10000; the error is located at the value.
fn check_trials(trials: Option<&toml::Spanned<u32>>) -> Result<(), (usize, String)> {
    match trials {
        Some(t) if !(1..=10_000).contains(t.get_ref()) => Err((
            t.span().start,
            format!("trials = {}: must be in 1..=10000", t.get_ref()),
        )),
        _ => Ok(()),
    }
}

/// The byte offset of the line that sets the top-level key `key` (`key = ...`), if any: where
/// a key that serde reports without a position is written.
fn key_offset(text: &str, key: &str) -> Option<usize> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with('[') {
            return None;
        }
        if t.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return Some(at + line.len() - t.len());
        }
        at += line.len();
    }
    None
}

impl Scenario {
    /// Reads and validates a scenario file.
    pub fn load(path: &str) -> Result<Scenario, WorldError> {
        let text = read_scenario(path)?;
        Scenario::parse(path, &text)
    }

    /// Parses and validates scenario text; `file` names it in errors (and locates relative map
    /// paths).
    pub fn parse(file: &str, text: &str) -> Result<Scenario, WorldError> {
        let err_at = |at: Option<usize>, msg: String| scenario_error(file, text, at, msg);
        let raw: ScenarioToml = parse_toml(file, text).map_err(|e| match e {
            // Neither key: say that a scenario is of either kind.
            WorldError::Scenario { file, reason } if reason.ends_with("missing field `maze`") => {
                WorldError::Scenario {
                    file,
                    reason: format!(
                        "{reason}: a scenario sets `maze` (a maze scenario) or `world` (a \
                         classic-control one)"
                    ),
                }
            }
            e => e,
        })?;
        let maze_at = Some(raw.maze.span().start);
        let name = raw.maze.get_ref();
        let maze = if MazeMap::builtin(name).is_some() || generate::from_spec(name).is_some() {
            name.clone()
        } else {
            // A map file is looked up next to the scenario file.
            let base = Path::new(file).parent().unwrap_or(Path::new("."));
            base.join(name).to_string_lossy().into_owned()
        };
        let map = MazeMap::load(&maze).map_err(|e| err_at(maze_at, format!("maze: {e}")))?;
        // A cell as written: exactly [row, col], or an error where it is written.
        let row_col = |what: &str, v: &toml::Spanned<Vec<usize>>| match v.get_ref().as_slice() {
            &[r, c] => Ok((r, c)),
            other => Err(err_at(
                Some(v.span().start),
                format!(
                    "{what} must be a cell [row, col], not {} number{}",
                    other.len(),
                    if other.len() == 1 { "" } else { "s" }
                ),
            )),
        };
        // The task's cells, each checked where it is written.
        let task_cell = |what: &str,
                         v: &Option<toml::Spanned<Vec<usize>>>|
         -> Result<Option<CellIx>, WorldError> {
            let Some(v) = v else { return Ok(None) };
            let (r, c) = row_col(what, v)?;
            map.check_free(what, r, c)
                .map(Some)
                .map_err(|e| err_at(Some(v.span().start), e.to_string()))
        };
        let (start, goal) = (
            task_cell("start", &raw.start)?,
            task_cell("goal", &raw.goal)?,
        );
        let cell = |what: &str, rc: &toml::Spanned<Vec<usize>>| -> Result<CellIx, WorldError> {
            let at = rc.span().start;
            let (r, c) = row_col(what, rc)?;
            if r >= map.rows() || c >= map.cols() {
                return Err(err_at(
                    Some(at),
                    format!(
                        "{what} cell ({r},{c}) is out of the {}x{} map",
                        map.rows(),
                        map.cols()
                    ),
                ));
            }
            if r == 0 || c == 0 || r + 1 == map.rows() || c + 1 == map.cols() {
                return Err(err_at(
                    Some(at),
                    format!("{what} cell ({r},{c}) is on the border, which stays a wall"),
                ));
            }
            Ok((r, c))
        };
        let mut changes = Vec::new();
        for sp in &raw.change {
            let at = sp.span().start;
            let ch = sp.get_ref();
            let trials = raw.trials.as_ref().map(|t| *t.get_ref());
            let (trial, step) = change_time(ch.before_trial, ch.trial, ch.step, trials)
                .map_err(|m| err_at(Some(at), m))?;
            if let Some(s) = ch.motor_scale {
                if !(s.is_finite() && s > 0.0 && s <= 10.0) {
                    return Err(err_at(
                        Some(at),
                        format!("motor_scale {s:?} must be in (0, 10]"),
                    ));
                }
            }
            if ch.wall.is_empty() && ch.free.is_empty() && ch.motor_scale.is_none() {
                return Err(err_at(
                    Some(at),
                    "a change must set `wall`, `free` or `motor_scale`".into(),
                ));
            }
            changes.push(Change {
                trial,
                step,
                wall: ch
                    .wall
                    .iter()
                    .map(|rc| cell("wall", rc))
                    .collect::<Result<_, _>>()?,
                free: ch
                    .free
                    .iter()
                    .map(|rc| cell("free", rc))
                    .collect::<Result<_, _>>()?,
                motor_scale: ch.motor_scale,
            });
        }
        // Stable: changes at the same moment apply in file order.
        changes.sort_by_key(|c| (c.trial, c.step));
        let task = TaskSpec {
            start,
            goal,
            task: raw.task.as_ref().map(|t| *t.get_ref()),
        };
        check_trials(raw.trials.as_ref()).map_err(|(at, m)| err_at(Some(at), m))?;
        // Validate the task against the map now, so that errors name the scenario file (the
        // cells are checked above: what is left is the task number).
        MazeEnv::new(
            map,
            sns_worlds::EnvConfig {
                task,
                ..Default::default()
            },
        )
        .map_err(|e| err_at(raw.task.as_ref().map(|t| t.span().start), e.to_string()))?;
        let name = Path::new(file)
            .file_stem()
            .map_or_else(|| file.to_string(), |s| s.to_string_lossy().into_owned());
        Ok(Scenario {
            name,
            file: file.to_string(),
            description: raw.description,
            maze,
            task,
            seed: raw.seed,
            trials: raw.trials.map(|t| t.into_inner()),
            changes,
        })
    }

    /// The changes due at `step` of trial `trial`.
    pub fn due(&self, trial: u32, step: u64) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(move |c| c.trial == trial && c.step == step)
    }

    /// Checks that every change fires in a run of `trials` trials: a change beyond the last
    /// trial would leave a static world labelled with the scenario's name.
    pub fn check_trials(&self, trials: u32) -> Result<(), WorldError> {
        match self.changes.iter().find(|c| c.trial > trials) {
            Some(ch) => Err(WorldError::Scenario {
                file: self.file.clone(),
                reason: format!(
                    "change '{}' never fires: the run has {trials} trial{} (raise --trials, or set \
                     `trials` in the scenario)",
                    ch.describe(),
                    if trials == 1 { "" } else { "s" }
                ),
            }),
            None => Ok(()),
        }
    }

    /// Checks that every change can fire within a trial of at most `max_steps` steps: a change
    /// of a maze is applied only at its step (a trial that ended sooner never meets it).
    pub fn check_steps(&self, max_steps: u64) -> Result<(), WorldError> {
        match self.changes.iter().find(|c| c.step > max_steps) {
            Some(ch) => Err(WorldError::Scenario {
                file: self.file.clone(),
                reason: format!(
                    "change '{}' never fires: trials end by step {max_steps} (raise --max-steps)",
                    ch.describe()
                ),
            }),
            None => Ok(()),
        }
    }

    /// Checks that no change walls the task's start or goal cell, nor walls either of them in:
    /// when the goal could be reached from the start before a change, it still can after it (the
    /// task would otherwise become impossible by fiat).
    pub fn check_task(&self, map: &MazeMap, start: Vec2, goal: Vec2) -> Result<(), WorldError> {
        let bad = |reason: String| WorldError::Scenario {
            file: self.file.clone(),
            reason,
        };
        let (s, g) = (map.xy_to_cell(start), map.xy_to_cell(goal));
        for (what, (r, c)) in [("start", s), ("goal", g)] {
            for ch in &self.changes {
                if ch.wall.iter().any(|&w| (w.0 as i64, w.1 as i64) == (r, c)) {
                    return Err(bad(format!(
                        "change '{}' walls the task's {what} cell ({r},{c})",
                        ch.describe()
                    )));
                }
            }
        }
        let mut now = map.clone();
        if !connected(&now, s, g) {
            // Unreachable from the outset: L* says so already, and no change is to blame.
            return Ok(());
        }
        for (i, ch) in self.changes.iter().enumerate() {
            ch.wall.iter().for_each(|&w| now.set_cell(w, Cell::Wall));
            ch.free.iter().for_each(|&f| now.set_cell(f, Cell::Free));
            // Changes at the same moment count together (one may close a door another opens).
            let last_of_moment = !matches!(
                self.changes.get(i + 1),
                Some(n) if (n.trial, n.step) == (ch.trial, ch.step)
            );
            if last_of_moment && !connected(&now, s, g) {
                return Err(bad(format!(
                    "change '{}' walls in the task: the goal cell ({},{}) can no longer be \
                     reached from the start cell ({},{})",
                    ch.describe(),
                    g.0,
                    g.1,
                    s.0,
                    s.1
                )));
            }
        }
        Ok(())
    }
}

/// Whether free cells connect `from` to `to` through shared sides (the ball, 0.2 m wide, fits
/// through any free cell, and never between two walls that touch at a corner).
fn connected(map: &MazeMap, from: (i64, i64), to: (i64, i64)) -> bool {
    if map.is_wall(from.0, from.1) || map.is_wall(to.0, to.1) {
        return false;
    }
    let cols = map.cols() as i64;
    let mut seen = vec![false; map.rows() * map.cols()];
    let mut stack = vec![from];
    seen[(from.0 * cols + from.1) as usize] = true;
    while let Some((r, c)) = stack.pop() {
        if (r, c) == to {
            return true;
        }
        for (nr, nc) in [(r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)] {
            // is_wall reads outside the map as wall, so the index below is in range.
            if !map.is_wall(nr, nc)
                && !std::mem::replace(&mut seen[(nr * cols + nc) as usize], true)
            {
                stack.push((nr, nc));
            }
        }
    }
    false
}

/// A scenario file of either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyScenario {
    /// A maze scenario (`maze = ...`).
    Maze(Scenario),
    /// A classic-control scenario (`world = ...`).
    Control(ControlScenario),
}

/// Reads a scenario file of either kind: a control scenario when it sets `world`, a maze one
/// otherwise.
pub fn load_any(path: &str) -> Result<AnyScenario, WorldError> {
    let text = std::fs::read_to_string(path).map_err(|e| WorldError::Io {
        file: path.to_string(),
        reason: e.to_string(),
    })?;
    parse_any(path, &text)
}

/// Parses scenario text of either kind (see [`load_any`]).
pub fn parse_any(file: &str, text: &str) -> Result<AnyScenario, WorldError> {
    // A file that is not TOML at all gets the maze parser's message (with its position).
    let table = toml::from_str::<toml::Table>(text).ok();
    let has = |key: &str| table.as_ref().is_some_and(|t| t.contains_key(key));
    if has("world") && has("maze") {
        return Err(scenario_error(
            file,
            text,
            key_offset(text, "maze"),
            "a scenario sets either `maze` (a maze scenario) or `world` (a classic-control \
             one), not both"
                .into(),
        ));
    }
    if has("world") {
        ControlScenario::parse(file, text).map(AnyScenario::Control)
    } else {
        Scenario::parse(file, text).map(AnyScenario::Maze)
    }
}

/// One change of a control world's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlChange {
    /// Trial (from 1; 0 for the parameters set before the first trial).
    pub trial: u32,
    /// Steps of that trial after which it happens (0: before the trial starts).
    pub step: u64,
    /// Parameters set, by Gymnasium's names, in name order (each checked).
    pub set: Vec<(String, f64)>,
}

impl ControlChange {
    /// A one-line description (`trial 2 step 40: power = 0.00075`).
    pub fn describe(&self) -> String {
        let set: Vec<String> = self.set.iter().map(|(n, v)| format!("{n} = {v}")).collect();
        format!(
            "trial {} step {}: {}",
            self.trial,
            self.step,
            set.join(", ")
        )
    }
}

/// A validated scenario on a classic-control world.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlScenario {
    /// Name (the file stem).
    pub name: String,
    /// The file it was read from.
    pub file: String,
    /// What it tests, in words.
    pub description: String,
    /// The world.
    pub world: ControlWorldKind,
    /// Default seed.
    pub seed: Option<u64>,
    /// Default number of trials.
    pub trials: Option<u32>,
    /// The parameters set before the first trial (`[params]`; trial 0, step 0).
    pub params: ControlChange,
    /// Changes, sorted by (trial, step).
    pub changes: Vec<ControlChange>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlScenarioToml {
    #[serde(default)]
    description: String,
    world: toml::Spanned<String>,
    seed: Option<u64>,
    trials: Option<toml::Spanned<u32>>,
    #[serde(default)]
    params: BTreeMap<toml::Spanned<String>, toml::Spanned<f64>>,
    #[serde(default)]
    change: Vec<toml::Spanned<ControlChangeToml>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlChangeToml {
    before_trial: Option<u32>,
    trial: Option<u32>,
    step: Option<u64>,
    #[serde(default)]
    set: BTreeMap<toml::Spanned<String>, toml::Spanned<f64>>,
}

impl ControlScenario {
    /// Reads and validates a control scenario file.
    pub fn load(path: &str) -> Result<ControlScenario, WorldError> {
        let text = read_scenario(path)?;
        ControlScenario::parse(path, &text)
    }

    /// Parses and validates control scenario text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<ControlScenario, WorldError> {
        let err_at = |at: Option<usize>, msg: String| scenario_error(file, text, at, msg);
        let raw: ControlScenarioToml = parse_toml(file, text)?;
        let world: ControlWorldKind = raw.world.get_ref().parse().map_err(|e| {
            err_at(
                Some(raw.world.span().start),
                format!("{e}; a maze scenario names its maze with `maze = ...`"),
            )
        })?;
        // Every name and value checked against the world's parameters, at its position.
        let checked = |set: &BTreeMap<toml::Spanned<String>, toml::Spanned<f64>>| {
            set.iter()
                .map(|(name, value)| {
                    let (n, v) = (name.get_ref(), *value.get_ref());
                    match world.check_param(n, v) {
                        Ok(()) => Ok((n.clone(), v)),
                        Err(e @ sns_control::ParamError::Unknown { .. }) => {
                            Err(err_at(Some(name.span().start), e.to_string()))
                        }
                        Err(e) => Err(err_at(Some(value.span().start), e.to_string())),
                    }
                })
                .collect::<Result<Vec<_>, _>>()
        };
        check_trials(raw.trials.as_ref()).map_err(|(at, m)| err_at(Some(at), m))?;
        let params = ControlChange {
            trial: 0,
            step: 0,
            set: checked(&raw.params)?,
        };
        let mut changes = Vec::new();
        for sp in &raw.change {
            let at = sp.span().start;
            let ch = sp.get_ref();
            let trials = raw.trials.as_ref().map(|t| *t.get_ref());
            let (trial, step) = change_time(ch.before_trial, ch.trial, ch.step, trials)
                .map_err(|m| err_at(Some(at), m))?;
            if ch.set.is_empty() {
                return Err(err_at(
                    Some(at),
                    "a change must `set` at least one parameter (set = { name = value })".into(),
                ));
            }
            changes.push(ControlChange {
                trial,
                step,
                set: checked(&ch.set)?,
            });
        }
        // Stable: changes at the same moment apply in file order.
        changes.sort_by_key(|c| (c.trial, c.step));
        let name = Path::new(file)
            .file_stem()
            .map_or_else(|| file.to_string(), |s| s.to_string_lossy().into_owned());
        Ok(ControlScenario {
            name,
            file: file.to_string(),
            description: raw.description,
            world,
            seed: raw.seed,
            trials: raw.trials.map(|t| t.into_inner()),
            params,
            changes,
        })
    }

    /// The parameters set before the first trial, as a change (none when `[params]` is empty).
    pub fn initial(&self) -> impl Iterator<Item = &ControlChange> {
        std::iter::once(&self.params).filter(|c| !c.set.is_empty())
    }

    /// The changes due at `step` of trial `trial`.
    pub fn due(&self, trial: u32, step: u64) -> impl Iterator<Item = &ControlChange> {
        self.changes
            .iter()
            .filter(move |c| c.trial == trial && c.step == step)
    }

    /// The changes of trial `trial` due after step `step`: those a trial that ended at `step`
    /// never reached.
    pub fn overdue(&self, trial: u32, step: u64) -> impl Iterator<Item = &ControlChange> {
        self.changes
            .iter()
            .filter(move |c| c.trial == trial && c.step > step)
    }

    /// Checks that the run is on the scenario's world.
    pub fn check_world(&self, world: ControlWorldKind) -> Result<(), WorldError> {
        if world == self.world {
            Ok(())
        } else {
            Err(WorldError::Scenario {
                file: self.file.clone(),
                reason: format!("the scenario is for {}, not {world}", self.world),
            })
        }
    }

    /// Checks that every change fires in a run of `trials` trials.
    pub fn check_trials(&self, trials: u32) -> Result<(), WorldError> {
        match self.changes.iter().find(|c| c.trial > trials) {
            Some(ch) => Err(WorldError::Scenario {
                file: self.file.clone(),
                reason: format!(
                    "change '{}' never fires: the run has {trials} trial{} (raise --trials, or set \
                     `trials` in the scenario)",
                    ch.describe(),
                    if trials == 1 { "" } else { "s" }
                ),
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: `trials = 0` used to give an empty run and a huge value an endless one.
    #[test]
    fn scenario_trials_out_of_range_are_refused() {
        for t in ["0", "4000000000"] {
            let text = format!("maze = \"u\"\ntrials = {t}\n");
            assert!(
                Scenario::parse("s.toml", &text).is_err(),
                "trials = {t} accepted"
            );
        }
        assert!(Scenario::parse("s.toml", "maze = \"u\"\ntrials = 4\n").is_ok());
    }

    /// Regression: a change at a trial the run never reaches was accepted and never fired.
    #[test]
    fn a_change_beyond_the_last_trial_is_refused() {
        let text = "maze = \"open\"\ntrials = 2\n[[change]]\nbefore_trial = 3\nwall = [[2, 3]]\n";
        let e = Scenario::parse("s.toml", text)
            .expect_err("never fires")
            .to_string();
        assert!(e.starts_with("s.toml: line 3, column 1:"), "{e}");
        assert!(e.contains("never fires"), "{e}");
        let s = Scenario::parse(
            "s.toml",
            "maze = \"open\"\n[[change]]\nbefore_trial = 3\nwall = [[2, 3]]\n",
        )
        .expect("valid without trials");
        assert!(s.check_trials(3).is_ok());
        let e = s.check_trials(2).expect_err("never fires").to_string();
        assert!(e.contains("never fires") && e.contains("2 trials"), "{e}");
    }

    /// Regression: a change that closed every way to the goal, without walling the goal cell
    /// itself, was accepted.
    #[test]
    fn a_change_that_walls_in_the_goal_is_refused() {
        // u: the goal (1,1) is reached from (3,1) only around the bar (2,1)-(2,2) through (2,3).
        let u = MazeMap::builtin("u").expect("u");
        let (start, goal) = (u.cell_to_xy((3, 1)), u.cell_to_xy((1, 1)));
        let closing = "maze = \"u\"\n[[change]]\nbefore_trial = 2\nwall = [[2, 3]]\n";
        let s = Scenario::parse("s.toml", closing).expect("parses");
        let e = s
            .check_task(&u, start, goal)
            .expect_err("walls in")
            .to_string();
        assert!(e.contains("walls in") && e.contains("(1,1)"), "{e}");
        // The same door closed and opened at one moment leaves the task possible.
        let both = "maze = \"u\"\n[[change]]\nbefore_trial = 2\nwall = [[2, 3]]\n\
                    [[change]]\nbefore_trial = 2\nfree = [[2, 3]]\n";
        let s = Scenario::parse("s.toml", both).expect("parses");
        assert!(s.check_task(&u, start, goal).is_ok());
        // A change off the route is fine: the dead end (1,1) beyond a goal at (1,2).
        let elsewhere = "maze = \"u\"\n[[change]]\nbefore_trial = 2\nwall = [[1, 1]]\n";
        let s = Scenario::parse("s.toml", elsewhere).expect("parses");
        assert!(s.check_task(&u, start, u.cell_to_xy((1, 2))).is_ok());
    }

    #[test]
    fn parse_errors_name_file_line_and_column() {
        let e = Scenario::parse(
            "s.toml",
            "maze = \"u\"\n\n[[change]]\nbefore_trial = \"x\"\n",
        )
        .expect_err("invalid")
        .to_string();
        assert!(e.starts_with("s.toml: line 4, column 16:"), "{e}");
        let e = Scenario::parse("s.toml", "maze = \"u\"\n[[change]]\nbefore_trial = 2\n")
            .expect_err("invalid")
            .to_string();
        assert!(e.starts_with("s.toml: line 2, column 1:"), "{e}");
        assert!(e.contains("must set"), "{e}");
        let e = Scenario::parse(
            "s.toml",
            "maze = \"u\"\n[[change]]\nbefore_trial = 2\nwall = [[0, 1]]\n",
        )
        .expect_err("invalid")
        .to_string();
        assert!(e.contains("border"), "{e}");
        let e = Scenario::parse("s.toml", "maze = \"u\"\nbogus = 1\n")
            .expect_err("invalid")
            .to_string();
        assert!(e.starts_with("s.toml: line 2, column 1:"), "{e}");
    }

    #[test]
    fn changes_are_sorted_and_found_at_their_moment() {
        let s = Scenario::parse(
            "s.toml",
            "maze = \"open\"\n[[change]]\ntrial = 2\nstep = 5\nmotor_scale = 0.5\n\
             [[change]]\nbefore_trial = 2\nwall = [[2, 3]]\n",
        )
        .expect("valid");
        assert_eq!(s.changes[0].step, 0);
        assert_eq!(s.due(2, 5).count(), 1);
        assert_eq!(s.due(2, 4).count(), 0);
        assert_eq!(s.due(1, 5).count(), 0);
    }

    #[test]
    fn a_cell_closing_on_the_ball_pushes_it_out_at_exactly_its_step() {
        // The ball drives east through the open maze; cell (2, 3) closes on it after 40 steps.
        let s = Scenario::parse(
            "s.toml",
            "maze = \"open\"\nstart = [2, 1]\ngoal = [2, 5]\n\
             [[change]]\ntrial = 1\nstep = 40\nwall = [[2, 3]]\n",
        )
        .expect("valid");
        let map = MazeMap::load(&s.maze).expect("map");
        let mut env = MazeEnv::new(
            map,
            sns_worlds::EnvConfig {
                task: s.task,
                dynamics: sns_worlds::physics::Dynamics::Kinematic,
                ..Default::default()
            },
        )
        .expect("env");
        env.reset(3);
        env.restart();
        let mut inside_at_change = false;
        for _ in 0..120 {
            env.step(Vec2::new(1.0, 0.0));
            let k = env.steps();
            let was_wall = env.map().is_wall(2, 3);
            for ch in s.due(1, k) {
                let p = env.ball().pos;
                inside_at_change = env.map().xy_to_cell(p) == (2, 3);
                ch.apply(&mut env);
            }
            // The cell is free before step 40 and a wall from step 40 on.
            assert_eq!(was_wall, k > 40, "step {k}");
            assert_eq!(env.map().is_wall(2, 3), k >= 40, "step {k}");
            let d = env.map().wall_distance(env.ball().pos, 1.0);
            assert!(
                d >= sns_worlds::physics::BALL_RADIUS - 1e-9,
                "step {k}: {d}"
            );
        }
        // The door really closed on the ball (so the push-out was exercised).
        assert!(inside_at_change);
    }
}

#[cfg(test)]
mod control_tests {
    use super::*;

    #[test]
    fn control_scenarios_set_parameters_by_gymnasium_names() {
        let text = "description = \"d\"\nworld = \"pendulum\"\ntrials = 3\n\n[params]\nm = 1.5\n\
                    max_torque = 1\n\n[[change]]\ntrial = 2\nstep = 50\nset = { g = 5.0 }\n\
                    [[change]]\nbefore_trial = 2\nset = { l = 2.0 }\n";
        let s = match parse_any("p.toml", text).expect("valid") {
            AnyScenario::Control(s) => s,
            AnyScenario::Maze(_) => panic!("a world scenario read as a maze one"),
        };
        assert_eq!(s.world, ControlWorldKind::Pendulum);
        assert_eq!(s.name, "p");
        // Integers are numbers too; names in name order.
        assert_eq!(
            s.params.set,
            vec![("m".to_string(), 1.5), ("max_torque".to_string(), 1.0)]
        );
        assert_eq!(s.initial().count(), 1);
        // Sorted by moment: before trial 2 comes before step 50 of it.
        assert_eq!((s.changes[0].trial, s.changes[0].step), (2, 0));
        assert_eq!(s.due(2, 50).count(), 1);
        assert_eq!(s.changes[1].describe(), "trial 2 step 50: g = 5");
        assert!(s.check_trials(2).is_ok());
        assert!(s.check_trials(1).is_err());
        assert!(s.check_world(ControlWorldKind::MountainCar).is_err());
        // A maze scenario is still a maze scenario.
        assert!(matches!(
            parse_any("m.toml", "maze = \"u\"\n"),
            Ok(AnyScenario::Maze(_))
        ));
    }

    #[test]
    fn bad_names_and_values_name_file_line_and_column() {
        let e = |text: &str| {
            ControlScenario::parse("c.toml", text)
                .expect_err("invalid")
                .to_string()
        };
        // Out of range: the value's position.
        let m = e("world = \"mountaincar\"\n[params]\npower = 5\n");
        assert!(m.starts_with("c.toml: line 3, column 9:"), "{m}");
        assert!(m.contains("power") && m.contains("out of range"), "{m}");
        // A switch takes 0 or 1 only.
        let m = e("world = \"mountaincar\"\n[params]\ngoal_left = 0.5\n");
        assert!(m.starts_with("c.toml: line 3, column 13:"), "{m}");
        assert!(
            m.contains("goal_left") && m.contains("whole numbers"),
            "{m}"
        );
        // Unknown: the name's position, and the known names.
        let m = e("world = \"pendulum\"\n[[change]]\nbefore_trial = 2\nset = { mass = 2 }\n");
        assert!(m.starts_with("c.toml: line 4, column 9:"), "{m}");
        assert!(m.contains("`mass`") && m.contains("max_torque"), "{m}");
        // Not a control world: the world's position.
        let m = e("world = \"large\"\n");
        assert!(m.starts_with("c.toml: line 1, column 9:"), "{m}");
        assert!(m.contains("mountaincar") && m.contains("maze = "), "{m}");
        // A maze key in a control scenario.
        let m = e("world = \"acrobot\"\nmaze = \"u\"\n");
        assert!(m.starts_with("c.toml: line 2, column 1:"), "{m}");
        let m = e("world = \"acrobot\"\n[[change]]\nbefore_trial = 2\n");
        assert!(m.contains("must `set`"), "{m}");
        let m = e("world = \"acrobot\"\ntrials = 1\n[[change]]\nbefore_trial = 2\nset = { LINK_MASS_2 = 2 }\n");
        assert!(m.contains("never fires"), "{m}");
        assert!(!m.contains('\n'), "one line: {m}");
    }
}
