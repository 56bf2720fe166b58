#!/usr/bin/env python3
"""Cross-check of our classic-control worlds (crate sns-control) against the real Gymnasium environments.

Both sides start from the same exact states and take the same actions, 1000 steps per job. Our side is this
repository's own code, driven through the `control_job` example of sns-control (JSON Lines on stdin and
stdout), never a Python copy of it. Gymnasium's side is the raw environment class (`gym.make(...).unwrapped`,
so no time limit or checker wrapper gets in the way of 1000 steps from a chosen state).

Per world, the jobs are: starts drawn by Gymnasium's own `reset(seed=k)` followed by seeded random
piecewise-constant actions (held 1 to 30 steps; continuous ones drawn 25 % beyond the action bounds, so the
clipping is exercised); a few hand-picked starts at the limits (the left stop, the speed clip, upright, the
track's end); a closed-loop job whose actions Gymnasium's side picks from its own state (energy pumping, so
the goal and the termination are reached; for the pendulum, pumping and a PD catch that swings up and
holds; for the cart-pole, a balancing feedback from near upright), replayed on our side; and a job with non-default physical
parameters set by Gymnasium's names on both sides. Checked, for every step: the internal state, the
observation and (except for the swing-up, whose reward is ours) the reward agree within TOLERANCE; and the
step of the first success is the same (for MountainCar and the acrobots Gymnasium's termination is our
success; for the pendulum and the cart-pole it is computed here from Gymnasium's states by issue 12's
definition), with at least one job per world succeeding.

How the worlds without a Gymnasium id are driven:
- acrobot-continuous: Acrobot-v1 with its class attribute `AVAIL_TORQUE` replaced by `[u]` (u the action
  clipped to [-1, 1]) before each `step(0)`; nothing else in Acrobot-v1 depends on it.
- cartpole-swingup: CartPole-v1 with `force_mag` set to the force (the action clipped to +-10 N) before each
  `step(1)` (its force is `force_mag` for action 1), then our track-end stops applied to `env.state` (a cart
  beyond +-x_threshold is put on the end and its outward speed zeroed); its own termination is ignored.
  The start is CartPole-v1's reset with pi added to the pole's angle.

Usage: crosscheck.py PATH_TO_control_job [--json FILE]
"""

import argparse
import json
import math
import subprocess
import sys
import time

import gymnasium as gym
import numpy as np

STEPS = 1000
TOLERANCE = 1e-6
SEEDS = range(5)

# Quiet Gymnasium's warning about stepping a CartPole past its (balance-task) termination.
gym.logger.min_level = 40


class Ours:
    """Our worlds, through the `control_job` example (one job per line)."""

    def __init__(self, exe):
        self.proc = subprocess.Popen([exe], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def run(self, world, state, actions, params):
        job = {"world": world, "state": [float(v) for v in state], "params": params,
               "actions": [float(a) for a in actions]}
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            sys.exit(f"control_job ended without an answer (exit {self.proc.wait()})")
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


class World:
    """How to drive one of our worlds' Gymnasium counterpart."""

    def __init__(self, name, gym_id, low, high, discrete=False, compare_reward=True, terminates=True):
        self.name, self.gym_id, self.low, self.high = name, gym_id, low, high
        self.discrete, self.compare_reward, self.terminates = discrete, compare_reward, terminates

    def make(self, params):
        env = gym.make(self.gym_id).unwrapped
        for k, v in params.items():
            setattr(env, k, float(v))
        if self.name == "cartpole-swingup":
            # Derived once in CartPole's __init__; ours derives them at every step.
            env.total_mass = env.masspole + env.masscart
            env.polemass_length = env.masspole * env.length
        return env

    def start(self, env, seed):
        env.reset(seed=seed)
        s = np.array(env.state, dtype=np.float64)
        if self.name == "cartpole-swingup":
            s[2] += math.pi
        return s

    def set_state(self, env, s):
        # Gymnasium's resets leave MountainCar's and Pendulum's state float64 and the acrobot's float32;
        # every start used here is representable as it must be stored.
        dtype = np.float32 if self.gym_id == "Acrobot-v1" else np.float64
        stored = np.array(s, dtype=dtype)
        assert np.array_equal(stored.astype(np.float64), np.array(s, dtype=np.float64)), (self.name, s)
        env.state = stored

    def step(self, env, a):
        """One step with our action `a`; returns (obs, reward, terminated)."""
        if self.name in ("mountaincar", "pendulum"):
            obs, r, term, _, _ = env.step(np.array([a], dtype=np.float32))
        elif self.name == "acrobot":
            obs, r, term, _, _ = env.step(int(a))
        elif self.name == "acrobot-continuous":
            env.AVAIL_TORQUE = [float(np.clip(np.float32(a), -1.0, 1.0))]
            obs, r, term, _, _ = env.step(0)
        else:
            env.force_mag = min(max(float(np.float32(a)), -10.0), 10.0)
            env.step(1)
            x, x_dot, th, th_dot = (float(v) for v in env.state)
            if x > 2.4:
                x, x_dot = 2.4, min(x_dot, 0.0)
            elif x < -2.4:
                x, x_dot = -2.4, max(x_dot, 0.0)
            env.state = np.array([x, x_dot, th, th_dot], dtype=np.float64)
            obs, r, term = np.array(env.state, dtype=np.float32), None, False
        return np.asarray(obs, dtype=np.float64), r, bool(term)

    def random_actions(self, rng):
        out = []
        while len(out) < STEPS:
            hold = int(rng.integers(1, 31))
            if self.discrete:
                a = float(rng.integers(0, 3))
            else:
                span = self.high - self.low
                a = float(np.float32(rng.uniform(self.low - 0.25 * span / 2, self.high + 0.25 * span / 2)))
            out.extend([a] * hold)
        return out[:STEPS]

    def pump(self, s, rng):
        """A closed-loop action from Gymnasium's state, with some noise: energy pumping (MountainCar, the
        acrobots), energy pumping and a PD catch near upright (pendulum), a linear balancing feedback
        (cart-pole, started near upright)."""
        noise = rng.uniform(-0.3, 0.3)
        if self.name == "mountaincar":
            return float(np.float32(np.sign(s[1]) + noise)) if s[1] != 0 else 1.0
        if self.name == "pendulum":
            th = ((s[0] + math.pi) % (2 * math.pi)) - math.pi
            if abs(th) < 0.5:
                return float(np.float32(-(10.0 * th + 2.0 * s[1]) + noise))
            # Pump while below the upright energy (0.5 w^2 + 3 g / (2 l) cos th, default g and l), brake above.
            energy = 0.5 * s[1] ** 2 + 15.0 * math.cos(s[0])
            return float(np.float32((2.0 if energy < 15.0 else -2.0) * (1.0 if s[1] >= 0 else -1.0) + noise))
        if self.name == "acrobot":
            return 2.0 if s[2] >= 0 else 0.0
        if self.name == "acrobot-continuous":
            return float(np.float32(np.sign(s[2]) + noise))
        return float(np.float32(1.0 * s[0] + 2.0 * s[1] + 30.0 * s[2] + 5.0 * s[3] + noise))

    def closed_loop_start(self, env, seed):
        """Where the closed-loop jobs start: Gymnasium's reset, or near upright for the cart-pole's balancing."""
        if self.name == "cartpole-swingup":
            return np.array([0.0, 0.0, 0.125, 0.0])
        return self.start(env, seed)

    def first_success(self, states):
        """The first step of success by issue 12's definition, from Gymnasium's states (pendulum, cart-pole:
        within 0.2 rad of upright, and on the track, for 100 consecutive steps)."""
        held = 0
        for t, s in enumerate(states):
            th = ((s[0 if self.name == "pendulum" else 2] + math.pi) % (2 * math.pi)) - math.pi
            on_track = self.name == "pendulum" or abs(s[0]) <= 2.4
            held = held + 1 if abs(th) <= 0.2 and on_track else 0
            if held >= 100:
                return t
        return None

WORLDS = [
    (World("mountaincar", "MountainCarContinuous-v0", -1.0, 1.0),
     [[-1.19, -0.05], [0.40, 0.05], [-0.5, 0.07]], {"power": 0.00075, "goal_position": 0.5}),
    (World("pendulum", "Pendulum-v1", -2.0, 2.0, terminates=False),
     [[0.0, 0.0], [3.0, 7.9], [-3.1, -8.0]], {"m": 1.5, "max_torque": 1.0, "l": 1.2, "g": 9.81}),
    (World("acrobot", "Acrobot-v1", 0, 2, discrete=True),
     [[2.875, 0.125, 0.0, 0.0], [0.0, 0.0, 12.0, -28.0]], {"LINK_MASS_2": 2.0, "LINK_LENGTH_1": 1.25}),
    (World("acrobot-continuous", "Acrobot-v1", -1.0, 1.0),
     [[1.5, -1.5, 0.5, 0.5]], {"LINK_MASS_2": 2.0, "LINK_COM_POS_2": 0.75, "LINK_MOI": 0.5}),
    (World("cartpole-swingup", "CartPole-v1", -10.0, 10.0, compare_reward=False, terminates=False),
     [[2.3, 1.5, math.pi, 0.0], [-2.4, -1.0, 0.1, 2.0], [0.0, 0.0, 0.0, 0.0]],
     {"length": 1.0, "masspole": 0.2, "gravity": 9.81}),
]


def gym_run(world, env, s0, actions=None, rng=None):
    """Gymnasium's trajectory from s0; with rng instead of actions, the actions are picked by `pump`."""
    world.set_state(env, s0)
    states, obs, rewards, terms, taken = [], [], [], [], []
    for t in range(STEPS):
        a = actions[t] if actions is not None else world.pump(np.array(env.state, dtype=np.float64), rng)
        o, r, term = world.step(env, a)
        taken.append(a)
        states.append([float(v) for v in env.state])
        obs.append(o.tolist())
        rewards.append(r)
        terms.append(term)
    return taken, {"state": states, "obs": obs, "reward": rewards, "terminated": terms}


def compare(world, theirs, ours):
    """The largest differences (state, obs, reward) and the first termination steps."""
    d_state = float(np.max(np.abs(np.array(theirs["state"]) - np.array(ours["state"]))))
    d_obs = float(np.max(np.abs(np.array(theirs["obs"]) - np.array(ours["obs"]))))
    d_rew = 0.0
    if world.compare_reward:
        d_rew = float(np.max(np.abs(np.array(theirs["reward"]) - np.array(ours["reward"]))))
    first = lambda ts: next((i for i, t in enumerate(ts) if t), None)
    theirs_first = first(theirs["terminated"]) if world.terminates else world.first_success(theirs["state"])
    return d_state, d_obs, d_rew, theirs_first, first(ours["terminated"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("exe", help="path to the control_job example of sns-control")
    ap.add_argument("--json", help="write the measurements to this file")
    args = ap.parse_args()
    ours = Ours(args.exe)
    failures, report = [], {"gymnasium": gym.__version__, "numpy": np.__version__, "steps": STEPS,
                            "tolerance": TOLERANCE, "worlds": {}}
    t0 = time.time()
    for world, extra_starts, params in WORLDS:
        env = world.make({})
        jobs = []
        for seed in SEEDS:
            rng = np.random.default_rng(1000 + seed)
            jobs.append((f"reset(seed={seed}) + random actions", world.start(env, seed), world.random_actions(rng), {}))
        for i, s in enumerate(extra_starts):
            rng = np.random.default_rng(2000 + i)
            jobs.append((f"start {s} + random actions", np.array(s, dtype=np.float64), world.random_actions(rng), {}))
        worst = {"state": 0.0, "obs": 0.0, "reward": 0.0, "jobs": 0, "terminated_at": [], "not_bit_identical": []}

        def check(label, penv, s0, actions, p, rng=None):
            taken, theirs = gym_run(world, penv, s0, actions, rng)
            mine = ours.run(world.name, s0, taken, p)
            d_state, d_obs, d_rew, t_theirs, t_ours = compare(world, theirs, mine)
            worst["state"] = max(worst["state"], d_state)
            worst["obs"] = max(worst["obs"], d_obs)
            worst["reward"] = max(worst["reward"], d_rew)
            worst["jobs"] += 1
            if max(d_state, d_obs, d_rew) > 0:
                worst["not_bit_identical"].append(f"{label}: state {d_state:.3g}, obs {d_obs:.3g}, reward {d_rew:.3g}")
            worst["terminated_at"].append(t_theirs)
            if max(d_state, d_obs, d_rew) > TOLERANCE:
                failures.append(f"{world.name} [{label}]: state {d_state:.3g}, obs {d_obs:.3g}, reward {d_rew:.3g}")
            if t_theirs != t_ours:
                failures.append(f"{world.name} [{label}]: first success at step {t_theirs} (gymnasium), {t_ours} (ours)")

        for label, s0, actions, p in jobs:
            check(label, env, s0, actions, p)
        check("closed loop", env, world.closed_loop_start(env, 99), None, {}, np.random.default_rng(3000))
        penv = world.make(params)
        check(f"params {params} + random actions", penv, world.start(penv, 7),
              world.random_actions(np.random.default_rng(4000)), params)
        check(f"params {params} + closed loop", penv, world.closed_loop_start(penv, 8), None, params,
              np.random.default_rng(5000))
        report["worlds"][world.name] = worst
        reached = [t for t in worst["terminated_at"] if t is not None]
        print(f"{world.name:20s} {worst['jobs']} jobs x {STEPS} steps: max |state| diff {worst['state']:.3g}, "
              f"obs {worst['obs']:.3g}, reward {worst['reward']:.3g}"
              + f", success in {len(reached)} jobs")
        if not reached:
            failures.append(f"{world.name}: no job succeeded, so success detection went unchecked")
    ours.close()
    report["seconds"] = round(time.time() - t0, 2)
    report["failures"] = failures
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    for f in failures:
        print("FAIL:", f)
    if failures:
        sys.exit(1)
    print(f"gymnasium cross-check passed (gymnasium {gym.__version__}, numpy {np.__version__}, {report['seconds']} s)")


if __name__ == "__main__":
    main()
