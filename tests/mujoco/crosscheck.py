#!/usr/bin/env python3
"""Cross-check of our PointMaze physics against the real one (Gymnasium-Robotics `PointMaze_*-v3` on MuJoCo).

Both sides start from the same exact states and take the same actions. Our side is this repository's own
code, driven through the `pointmaze_job` example of sns-worlds (JSON Lines on stdin and stdout), never a
Python copy of it. Checks (each failure is listed and the script exits 1):

1. Free space: 300 steps of piecewise-constant actions (some beyond [-1, 1], some starting faster than
   the 5 m/s clip) from exact states in a large open maze: positions agree within 1e-9 m.
2. Walls: impacts at 5 m/s on flat walls within 5 cm of the seam between two wall boxes (vertical and
   horizontal walls, both directions): our ball never moves sideways faster than 0.5 m/s. MuJoCo's
   penetration and bounce on the same impacts are measured and printed (our contact is hard: none).
3. A fixed simple controller (a PD law toward a cell centre 4 cells ahead on the grid path) on 100 tasks drawn by
   PointMaze's own reset on Medium and Large, each side closing the loop on its own observations:
   success rates agree within SUCCESS_TOLERANCE.

Usage: crosscheck.py PATH_TO_pointmaze_job [--json FILE]
"""

import argparse
import collections
import json
import subprocess
import sys
import time

import gymnasium as gym
import gymnasium_robotics
import mujoco
import numpy as np

gym.register_envs(gymnasium_robotics)

RADIUS = 0.1
FREE_TOLERANCE = 1e-9
SIDEWAYS_LIMIT = 0.5
# Success rates of the controller may differ by this much (a fraction of the tasks). The contact models
# differ on purpose (MuJoCo's is soft: the ball sinks up to ~5 cm into a wall and bounces a little; ours
# is hard), so once the controller scrapes a wall the two trajectories part and a task near the edge
# of the controller's ability can end differently; a physics bug (wrong mass, damping, force, clip or
# geometry) moves the rate by far more. Measured: see the printed paired disagreements.
SUCCESS_TOLERANCE = 0.05
# How far ahead on the grid path the controller aims (see `controller`).
AHEAD = 4


class Ours:
    """Our physics, through the `pointmaze_job` example (one job per line)."""

    def __init__(self, exe):
        self.proc = subprocess.Popen(
            [exe], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )

    def run(self, rows, pos, vel, actions):
        job = {"map": rows, "pos": list(map(float, pos)), "vel": list(map(float, vel)),
               "actions": [list(map(float, a)) for a in actions]}
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            sys.exit(f"pointmaze_job ended early (exit {self.proc.wait()})")
        t = json.loads(line)
        return np.array(t["pos"]), np.array(t["vel"]), t["contact"]

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


class Real:
    """Gymnasium-Robotics PointMaze (MuJoCo), set to exact states with `set_state`."""

    def __init__(self, env_id, maze_map=None):
        kwargs = {} if maze_map is None else {"maze_map": maze_map}
        self.env = gym.make(env_id, **kwargs).unwrapped
        self.env.reset(seed=0)
        self.rows = ["".join(cell_char(c) for c in row) for row in self.env.maze.maze_map]

    def start(self, pos, vel, goal=None):
        self.env.point_env.set_state(np.array(pos, float), np.array(vel, float))
        if goal is not None:
            self.env.goal = np.array(goal, float)
        return np.array(pos, float), np.array(vel, float)

    def step(self, action):
        obs, _, _, _, info = self.env.step(np.array(action, float))
        o = obs["observation"]
        return o[:2].copy(), o[2:].copy()

    def run(self, pos, vel, actions):
        self.start(pos, vel)
        ps, vs = [], []
        for a in actions:
            p, v = self.step(a)
            ps.append(p)
            vs.append(v)
        return np.array(ps), np.array(vs)


def cell_char(c):
    return {1: "1", 0: "0"}.get(c, str(c)[0]) if not isinstance(c, str) else c[0]


def cell_xy(rows, i, j):
    h, w = len(rows), len(rows[0])
    return np.array([(j + 0.5) - w / 2, h / 2 - (i + 0.5)])


def xy_cell(rows, p):
    h, w = len(rows), len(rows[0])
    return int(np.floor(h / 2 - p[1])), int(np.floor(p[0] + w / 2))


def wall(rows, i, j):
    return not (0 <= i < len(rows) and 0 <= j < len(rows[0])) or rows[i][j] == "1"


def piecewise_actions(rng, n):
    acts = []
    while len(acts) < n:
        a = rng.uniform(-1, 1, 2)
        if rng.random() < 0.2:
            a = rng.uniform(-3, 3, 2)  # clipped to [-1, 1] by both sides
        acts += [a.tolist()] * int(rng.integers(5, 60))
    return acts[:n]


def check_free_space(ours, failures, report):
    w = 41
    maze = [[1] * w] + [[1] + [0] * (w - 2) + [1] for _ in range(w - 2)] + [[1] * w]
    real = Real("PointMaze_Open-v3", maze)
    mass = float(real.env.point_env.model.body_mass[1])
    report["mujoco_ball_mass"] = mass
    rng = np.random.default_rng(1)
    worst = 0.0
    for k in range(20):
        pos = rng.uniform(-1, 1, 2)
        vel = rng.uniform(-6, 6, 2) if k % 2 else np.zeros(2)
        acts = piecewise_actions(rng, 300)
        rp, rv = real.run(pos, vel, acts)
        op, ov, contact = ours.run(real.rows, pos, vel, acts)
        if any(contact) or np.abs(rp).max() > w / 2 - 1 - RADIUS:
            failures.append(f"free space: sequence {k} reached a wall; the check needs free space")
        worst = max(worst, float(np.abs(rp - op).max()))
    report["free_space_max_position_difference_m"] = worst
    print(f"free space: 20 x 300 steps, largest position difference {worst:.3e} m (limit {FREE_TOLERANCE:g}); "
          f"MuJoCo's ball mass {mass!r} kg")
    if not worst <= FREE_TOLERANCE:
        failures.append(f"free space: positions differ by {worst:.3e} m > {FREE_TOLERANCE:g}")


def seams(rows):
    """Points on the face of a flat wall, at a seam between two wall boxes, with the direction into it.

    Each is (seam point, direction): a vertical face where cells (i, j) and (i+1, j) are walls and the two
    cells beside them on the approach side are free; likewise for horizontal faces."""
    out = []
    h, w = len(rows), len(rows[0])
    for i in range(h - 1):
        for j in range(w):
            if not (wall(rows, i, j) and wall(rows, i + 1, j)):
                continue
            y = h / 2 - (i + 1)
            for dj, d in ((-1, (1.0, 0.0)), (1, (-1.0, 0.0))):
                if not wall(rows, i, j + dj) and not wall(rows, i + 1, j + dj):
                    x = (j - w / 2) if dj == -1 else (j + 1 - w / 2)
                    out.append((np.array([x, y]), np.array(d)))
    for i in range(h):
        for j in range(w - 1):
            if not (wall(rows, i, j) and wall(rows, i, j + 1)):
                continue
            x = j + 1 - w / 2
            for di, d in ((-1, (0.0, -1.0)), (1, (0.0, 1.0))):
                if not wall(rows, i + di, j) and not wall(rows, i + di, j + 1):
                    y = (h / 2 - i) if di == -1 else (h / 2 - (i + 1))
                    out.append((np.array([x, y]), np.array(d)))
    return out


def check_impacts(ours, failures, report):
    rng = np.random.default_rng(2)
    worst_ours, worst_real, pen, bounce, n = 0.0, 0.0, 0.0, 0.0, 0
    for env_id in ("PointMaze_Open-v3", "PointMaze_Medium-v3", "PointMaze_Large-v3"):
        real = Real(env_id)
        for face, d in seams(real.rows):
            along = np.array([-d[1], d[0]])
            for _ in range(3):
                offset = rng.uniform(-0.05, 0.05)
                gap = rng.uniform(0.2, 0.25)  # from contact: the ball is at 5 m/s when it lands
                pos = face - d * (RADIUS + gap) + along * offset
                vel = d * 5.0
                acts = [d.tolist()] * 40
                rp, rv = real.run(pos, vel, acts)
                op, ov, _ = ours.run(real.rows, pos, vel, acts)
                worst_ours = max(worst_ours, float(np.abs(ov @ along).max()))
                worst_real = max(worst_real, float(np.abs(rv @ along).max()))
                # Depth of the ball's surface beyond the face, and the largest speed away from it.
                pen = max(pen, float(((rp - face) @ d + RADIUS).max()))
                bounce = max(bounce, float((-(rv @ d)).max()))
                n += 1
    report.update(impacts=n, ours_max_sideways_m_s=worst_ours, mujoco_max_sideways_m_s=worst_real,
                  mujoco_max_penetration_m=pen, mujoco_max_bounce_m_s=bounce)
    print(f"walls: {n} impacts at 5 m/s within 5 cm of a seam: largest sideways speed ours {worst_ours:.3e} m/s "
          f"(limit {SIDEWAYS_LIMIT}), MuJoCo {worst_real:.3e} m/s; MuJoCo's ball sinks up to {pen * 100:.2f} cm "
          f"into the wall and bounces back at up to {bounce:.3f} m/s (ours: 0 and 0)")
    if not worst_ours < SIDEWAYS_LIMIT:
        failures.append(f"walls: an impact kicked our ball sideways at {worst_ours:.3f} m/s")


def grid_path(rows, a, b):
    prev = {a: None}
    q = collections.deque([a])
    while q:
        c = q.popleft()
        if c == b:
            break
        for di, dj in ((0, 1), (1, 0), (0, -1), (-1, 0)):
            n = (c[0] + di, c[1] + dj)
            if n not in prev and not wall(rows, *n):
                prev[n] = c
                q.append(n)
    path = [b]
    while prev[path[-1]] is not None:
        path.append(prev[path[-1]])
    return path[::-1]


def controller(rows, path, goal, p, v):
    """PD toward the centre of the cell AHEAD cells further on the grid path than the ball's cell (the goal
    itself near the end). Aiming past the next turn, it presses into walls and slides along them, and
    about half of the tasks end stuck in a corner: so the success rate depends on the sliding contact, the
    force, the damping and the clip, and sits where a binomial rate is most sensitive."""
    c = xy_cell(rows, p)
    k = path.index(c) if c in path else 0
    target = goal if k + AHEAD >= len(path) else cell_xy(rows, *path[k + AHEAD])
    return np.clip(5.0 * (target - p) - 0.1 * v, -1.0, 1.0)


def check_controller(ours, failures, report):
    results = {"ours": [], "mujoco": []}
    for env_id, limit in (("PointMaze_Medium-v3", 600), ("PointMaze_Large-v3", 800)):
        real = Real(env_id)
        for seed in range(50):
            real.env.reset(seed=seed)
            start, goal = real.env.reset_pos.copy(), real.env.goal.copy()
            path = grid_path(real.rows, xy_cell(real.rows, start), xy_cell(real.rows, goal))
            for side in ("mujoco", "ours"):
                p, v = start.copy(), np.zeros(2)
                if side == "mujoco":
                    real.start(p, v, goal)
                ok = False
                for _ in range(limit):
                    a = controller(real.rows, path, goal, p, v)
                    if side == "mujoco":
                        p, v = real.step(a)
                    else:
                        op, ov, _ = ours.run(real.rows, p, v, [a])
                        p, v = op[0], ov[0]
                    if np.linalg.norm(p - goal) <= 0.45:
                        ok = True
                        break
                results[side].append(ok)
    o, r = np.array(results["ours"]), np.array(results["mujoco"])
    differ = int((o != r).sum())
    report.update(tasks=len(o), ours_success_rate=float(o.mean()), mujoco_success_rate=float(r.mean()),
                  tasks_with_different_outcome=differ)
    print(f"controller: {len(o)} tasks (Medium and Large, PointMaze's reset seeds 0-49): success ours "
          f"{o.mean():.2f}, MuJoCo {r.mean():.2f} (tolerance {SUCCESS_TOLERANCE}); outcomes differ on {differ} tasks")
    if not abs(o.mean() - r.mean()) <= SUCCESS_TOLERANCE:
        failures.append(f"controller: success rates differ: ours {o.mean():.2f}, MuJoCo {r.mean():.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("exe", help="path to the pointmaze_job example of sns-worlds")
    ap.add_argument("--json", help="write the measurements to this file")
    args = ap.parse_args()
    print(f"gymnasium-robotics {gymnasium_robotics.__version__}, mujoco {mujoco.__version__}, gymnasium {gym.__version__}")
    ours = Ours(args.exe)
    failures, report = [], {"gymnasium_robotics": gymnasium_robotics.__version__, "mujoco": mujoco.__version__}
    t0 = time.time()
    check_free_space(ours, failures, report)
    check_impacts(ours, failures, report)
    check_controller(ours, failures, report)
    ours.close()
    print(f"cross-check took {time.time() - t0:.1f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
