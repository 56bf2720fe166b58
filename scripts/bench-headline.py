#!/usr/bin/env python3
"""Condense a `sns bench` runs.csv into the headline table of BENCHMARKS.md and README.md.

Usage: scripts/bench-headline.py bench/full/runs.csv
Medians over seeds (successful trials for steps and path ratios); worst = maximum over seeds.
"""
import csv
import statistics
import sys

LIMITS = {"u": 300, "open": 300, "medium": 600, "large": 800, "giant": 1500}
GROUPS = [
    ("u", ["u"]), ("open", ["open"]), ("medium", ["medium"]), ("large", ["large"]), ("giant", ["giant"]),
    ("medium tasks 1-5", [f"medium:{i}" for i in range(1, 6)]),
    ("large tasks 1-5", [f"large:{i}" for i in range(1, 6)]),
    ("giant tasks 1-5", [f"giant:{i}" for i in range(1, 6)]),
]


def ratio(r):
    return float(r["path_length"]) / float(r["shortest_path"])


def main(path):
    rows = list(csv.DictReader(open(path)))
    last = max(int(r["trial"]) for r in rows)

    def sel(agent, mazes, trial):
        return [r for r in rows if r["agent"] == agent and r["maze"] in mazes and int(r["trial"]) == trial
                and r["success"] == "true"]

    def med(xs):
        return statistics.median(xs) if xs else float("nan")

    print("| maze | SNS success | SNS steps T1 | SNS steps T3 | SNS path/L* T1 | SNS path/L* T3 (worst) "
          "| neural steps T1 | neural path/L* T3 | D* Lite 0.25 m path/L* T1 / T3 | Bug2 path/L* | oracle steps |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, mazes in GROUPS:
        runs = [r for r in rows if r["agent"] == "sns" and r["maze"] in mazes]
        if not runs:
            continue
        succ = sum(r["success"] == "true" for r in runs) / len(runs)
        r3 = [ratio(r) for r in sel("sns", mazes, last)]
        print("| %s | %.0f%% | %d | %d | %.2f | %.2f (%.2f) | %d | %.2f | %.2f / %.2f | %.2f | %d |" % (
            name, 100 * succ,
            med([int(r["steps"]) for r in sel("sns", mazes, 1)]),
            med([int(r["steps"]) for r in sel("sns", mazes, last)]),
            med([ratio(r) for r in sel("sns", mazes, 1)]), med(r3), max(r3),
            med([int(r["steps"]) for r in sel("sns:neural", mazes, 1)]),
            med([ratio(r) for r in sel("sns:neural", mazes, last)]),
            med([ratio(r) for r in sel("dstar", mazes, 1)]), med([ratio(r) for r in sel("dstar", mazes, last)]),
            med([ratio(r) for r in sel("bug2", mazes, 1)]),
            med([int(r["steps"]) for r in sel("oracle", mazes, 1)])))
    print()
    print("| agent | trials solved | worst first-trial steps | last trials with path/L* > 1.3 | last trials over PointMaze's time limit |")
    print("|---|---:|---:|---:|---:|")
    for agent in dict.fromkeys(r["agent"] for r in rows):
        rs = [r for r in rows if r["agent"] == agent]
        t1 = [int(r["steps"]) for r in rs if r["trial"] == "1"]
        tl = [r for r in rs if int(r["trial"]) == last]
        over = sum(1 for r in tl if r["success"] == "true" and ratio(r) > 1.3)
        slow = sum(1 for r in tl if int(r["steps"]) > LIMITS[r["maze"].split(":")[0]])
        print("| %s | %d/%d | %d | %d/%d | %d/%d |" % (
            agent, sum(r["success"] == "true" for r in rs), len(rs), max(t1), over, len(tl), slow, len(tl)))
    print()
    print("Third trial against the oracle: median over seeds of (path of the last trial / the oracle's path")
    print("on the same seed); bar 1.15.")
    print()
    agents = [a for a in ("sns", "sns:neural") if any(r["agent"] == a for r in rows)]
    print("| world | " + " | ".join(agents) + " |")
    print("|---|" + "---:|" * len(agents))
    oracle = {(r["maze"], r["seed"]): float(r["path_length"]) for r in rows
              if r["agent"] == "oracle" and int(r["trial"]) == last and r["success"] == "true"}
    worlds = [m for _, ms in GROUPS for m in ms]
    met = dict.fromkeys(agents, 0)
    for world in worlds:
        cells = []
        for agent in agents:
            xs = [float(r["path_length"]) / oracle[(r["maze"], r["seed"])] for r in sel(agent, [world], last)
                  if (r["maze"], r["seed"]) in oracle]
            m = med(xs)
            met[agent] += m <= 1.15
            cells.append("%.2f" % m)
        print("| %s | %s |" % (world, " | ".join(cells)))
    print("| worlds within 1.15 | " + " | ".join("%d/%d" % (met[a], len(worlds)) for a in agents) + " |")
    print()
    print("First-trial path length (m), medians:")
    print()
    fagents = [a for a in ("sns", "sns:neural", "dstar:0.1", "dstar", "dstar:0.5") if any(r["agent"] == a for r in rows)]
    print("| world | " + " | ".join(fagents) + " |")
    print("|---|" + "---:|" * len(fagents))
    for name, mazes in [("large (random tasks)", ["large"]), ("giant (random tasks)", ["giant"]),
                        ("large tasks 1-5", [f"large:{i}" for i in range(1, 6)]),
                        ("giant tasks 1-5", [f"giant:{i}" for i in range(1, 6)])]:
        print("| %s | %s |" % (name, " | ".join(
            "%.2f" % med([float(r["path_length"]) for r in sel(a, mazes, 1)]) for a in fagents)))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/full/runs.csv")
