#!/usr/bin/env python3
"""Condense the `sns bench` runs.csv of the scale benchmark (generated worlds, one run per world and
agent) into the tables of BENCHMARKS.md section 5.

Usage: scripts/bench-scale.py RUNS [RUNS...] [--budget N]
RUNS is a bench folder or its runs.csv; several are read as one (SNS and D* Lite are archived as
separate runs, bench/scale and bench/scale-dstar: the baseline does not change with SNS). The budget
(default 2000000) is the step count a failed first trial is charged.
Per world: success of every trial, steps of each trial, the last trial's path / L*, for SNS on both
substrates and D* Lite 0.25 m; then the first-trial comparison with D* Lite (a failed trial counts at
the step budget) and the whole-run speed.
"""
import csv
import os
import statistics
import sys

AGENTS = ["sns", "sns:neural", "dstar"]


def main(paths, budget):
    rows = []
    for path in paths:
        if os.path.isdir(path):
            path = os.path.join(path, "runs.csv")
        rows += list(csv.DictReader(open(path)))
    worlds = list(dict.fromkeys(r["maze"] for r in rows))
    last = max(int(r["trial"]) for r in rows)
    by = {}
    for r in rows:
        by.setdefault((r["agent"], r["maze"]), []).append(r)
    for v in by.values():
        v.sort(key=lambda r: (int(r["seed"]), int(r["trial"])))

    def steps(r):
        return int(r["steps"]) if r["success"] == "true" else f"failed ({int(r['steps'])})"

    print("| world | L* (m) | " + " | ".join(f"{a} T1 / T2 / T3 steps | {a} T{last} path/L*" for a in AGENTS)
          + " |")
    print("|---|---:|" + "---:|---:|" * len(AGENTS))
    for w in worlds:
        cells = []
        lstar = None
        for a in AGENTS:
            rs = by.get((a, w), [])
            if not rs:
                cells += ["-", "-"]
                continue
            lstar = float(rs[0]["shortest_path"])
            cells.append(" / ".join(str(steps(r)) for r in rs))
            t = rs[-1]
            cells.append(f"{float(t['path_length']) / float(t['shortest_path']):.2f}" if t["success"] == "true"
                         else "-")
        print(f"| {w} | {lstar:.1f} | " + " | ".join(cells) + " |")

    print()
    for a in AGENTS:
        rs = [r for r in rows if r["agent"] == a]
        if not rs:
            continue
        ok = sum(r["success"] == "true" for r in rs)
        print(f"- {a}: {ok}/{len(rs)} trials solved")

    def first(a, w):
        r = [r for r in by.get((a, w), []) if r["trial"] == "1"][0]
        return int(r["steps"]) if r["success"] == "true" else budget

    present = {r["agent"] for r in rows}
    for a in [a for a in ["sns", "sns:neural"] if a in present]:
        if "dstar" in present:
            mine = [first(a, w) for w in worlds]
            theirs = [first("dstar", w) for w in worlds]
            fewer = sum(m <= t for m, t in zip(mine, theirs))
            print(f"- first trial, median steps over the {len(worlds)} worlds: {a} {statistics.median(mine):.0f}, "
                  f"dstar {statistics.median(theirs):.0f} (failures at the budget {budget}); {a} took no more "
                  f"steps than dstar on {fewer} of {len(worlds)}")
        ratios = [float(r["path_length"]) / float(r["shortest_path"]) for w in worlds
                  for r in by.get((a, w), []) if r["trial"] == str(last) and r["success"] == "true"]
        print(f"- {a}: trial {last} path/L* median {statistics.median(ratios):.2f}, worst {max(ratios):.2f}, "
              f"within 1.15 on {sum(x <= 1.15 for x in ratios)} of {len(ratios)} worlds")

    print()
    print("| world | " + " | ".join(f"{a} steps/s" for a in AGENTS) + " |")
    print("|---|" + "---:|" * len(AGENTS))
    for w in worlds:
        cells = []
        for a in AGENTS:
            rs = by.get((a, w), [])
            s, t = sum(int(r["steps"]) for r in rs), sum(float(r["wall_time"]) for r in rs)
            cells.append(f"{s / t:.0f}" if t > 0 else "-")
        print(f"| {w} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    args = sys.argv[1:]
    budget = 2000000
    if "--budget" in args:
        i = args.index("--budget")
        budget = int(args[i + 1])
        del args[i:i + 2]
    if not args or args[0] in ("-h", "--help"):
        sys.exit(__doc__)
    main(args, budget)
