//! Self-motion sensing: the agent is told its absolute position only at the start of a trial, and
//! afterwards navigates on the position decoded from its path-integrated code.
//!
//! [`SelfMotion`] wraps any agent and rewrites each observation before the agent sees it:
//! - `position` becomes `decode(h)`, where the code `h` is reset to `h(start)` when a trial
//!   begins (the world puts the body back at its start) and then only updated by self-motion,
//!   `h <- h (.) exp(i Omega dx)`;
//! - `goal` (when sensed) becomes goal-relative: the agent senses the vector from its body to the
//!   goal, `g - x`, and places the goal at `decode(h) + (g - x)` in its own frame;
//! - velocity, contact, contact normal and success are passed through.
//!
//! The self-motion `dx` of a step is, by [`MotionSignal`], either `velocity * dt` (what a
//! vestibular / motor-efference signal gives: exact in free motion, but a wall impact that pushes
//! the ball back is not in the post-contact velocity, so each impact adds an error of at most
//! `speed * dt`), or the body's displacement over the step (odometry, exact).

use crate::code::{CodeParams, HarmonicCode, PathIntegrator};
use crate::NeuralError;
use sns_core::{Agent, GraphSnapshot, MazeAgent};
use sns_worlds::{Observation, Real, Vec2};

/// Which self-motion signal is integrated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MotionSignal {
    /// `velocity * dt` from the sensed velocity.
    #[default]
    Velocity,
    /// The body's displacement over the last step (odometry).
    Displacement,
}

/// An agent that only knows its start position and integrates self-motion in a harmonic code.
#[derive(Debug)]
pub struct SelfMotion<A: MazeAgent> {
    inner: A,
    code: HarmonicCode,
    integrator: PathIntegrator,
    signal: MotionSignal,
    dt: Real,
    prev: Vec2,
    worst_error: Real,
}

impl<A: MazeAgent> SelfMotion<A> {
    /// Wraps `inner`; `dt` is the control period (0.01 s in PointMaze).
    pub fn new(
        inner: A,
        code: CodeParams,
        signal: MotionSignal,
        dt: Real,
    ) -> Result<Self, NeuralError> {
        let code = HarmonicCode::new(code)?;
        Ok(SelfMotion {
            integrator: PathIntegrator::new(&code, Vec2::ZERO),
            code,
            inner,
            signal,
            dt,
            prev: Vec2::ZERO,
            worst_error: 0.0,
        })
    }

    /// The largest distance between the decoded estimate and the true position seen so far (a
    /// diagnostic, never shown to the agent).
    pub fn worst_error(&self) -> Real {
        self.worst_error
    }

    /// The wrapped agent.
    pub fn inner(&self) -> &A {
        &self.inner
    }

    fn rewrite(&mut self, obs: &Observation) -> Observation {
        let est = self.integrator.position(&self.code);
        self.worst_error = self.worst_error.max(est.dist(obs.position));
        Observation {
            position: est,
            goal: obs.goal.map(|g| est + (g - obs.position)),
            ..*obs
        }
    }
}

impl<A: MazeAgent> Agent<Observation, Vec2> for SelfMotion<A> {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn begin_trial(&mut self, obs: &Observation) {
        self.integrator.reset(&self.code, obs.position);
        self.prev = obs.position;
        let o = self.rewrite(obs);
        self.inner.begin_trial(&o);
    }

    fn act(&mut self, obs: &Observation) -> Vec2 {
        let dx = match self.signal {
            MotionSignal::Velocity => obs.velocity * self.dt,
            MotionSignal::Displacement => obs.position - self.prev,
        };
        self.prev = obs.position;
        self.integrator.step(&self.code, dx);
        let o = self.rewrite(obs);
        self.inner.act(&o)
    }

    fn end_trial(&mut self, success: bool) {
        self.inner.end_trial(success);
    }
}

impl<A: MazeAgent> MazeAgent for SelfMotion<A> {
    fn substrate(&self) -> &str {
        self.inner.substrate()
    }
    fn snapshot(&self) -> Option<GraphSnapshot> {
        self.inner.snapshot()
    }
}
