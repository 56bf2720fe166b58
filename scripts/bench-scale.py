#!/usr/bin/env python3
"""Condense the `sns bench` runs.csv of the scale benchmark (generated worlds, one run per world and
agent, or several seeds per world) into the tables of BENCHMARKS.md section 5.

Usage: scripts/bench-scale.py RUNS [RUNS...] [--budget N]
RUNS is a bench folder or its runs.csv; several are read as one (SNS and D* Lite are archived as
separate runs, bench/scale and bench/scale-dstar: the baseline does not change with SNS). The budget
(default 2000000) is the step count a failed first trial is charged.
Per world: success of every trial, steps of each trial, the last trial's path / L*, for SNS on both
substrates and D* Lite 0.25 m; then the first-trial comparison with D* Lite (a failed trial counts at
the step budget) and the whole-run speed. With several seeds per world, a world's numbers are medians
over its seeds, and the comparison is also made run by run (same world and seed) over all runs.
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

    seeds = sorted({int(r["seed"]) for r in rows})

    def trial(rs, t):
        return [r for r in rs if r["trial"] == str(t)]

    def steps(rs, t):
        rs = trial(rs, t)
        if len(rs) == 1:
            r = rs[0]
            return str(int(r["steps"])) if r["success"] == "true" else f"failed ({int(r['steps'])})"
        failed = sum(r["success"] != "true" for r in rs)
        m = statistics.median(int(r["steps"]) if r["success"] == "true" else budget for r in rs)
        return f"{m:.0f}" + (f" ({failed} failed)" if failed else "")

    def ratio(r):
        return float(r["path_length"]) / float(r["shortest_path"])

    def last_ratio(rs):
        """The median over seeds of the last trial's path / L* (successful trials), or None."""
        v = [ratio(r) for r in trial(rs, last) if r["success"] == "true"]
        return statistics.median(v) if v else None

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
            cells.append(" / ".join(steps(rs, t) for t in range(1, last + 1)))
            x = last_ratio(rs)
            cells.append(f"{x:.2f}" if x is not None else "-")
        print(f"| {w} | {lstar:.1f} | " + " | ".join(cells) + " |")

    print()
    for a in AGENTS:
        rs = [r for r in rows if r["agent"] == a]
        if not rs:
            continue
        ok = sum(r["success"] == "true" for r in rs)
        print(f"- {a}: {ok}/{len(rs)} trials solved")

    def first_run(r):
        return int(r["steps"]) if r["success"] == "true" else budget

    def first(a, w):
        return statistics.median(first_run(r) for r in trial(by.get((a, w), []), 1))

    present = {r["agent"] for r in rows}
    for a in [a for a in ["sns", "sns:neural"] if a in present]:
        if "dstar" in present:
            mine = [first(a, w) for w in worlds]
            theirs = [first("dstar", w) for w in worlds]
            fewer = sum(m <= t for m, t in zip(mine, theirs))
            print(f"- first trial, median steps over the {len(worlds)} worlds: {a} {statistics.median(mine):.0f}, "
                  f"dstar {statistics.median(theirs):.0f} (failures at the budget {budget}); {a} took no more "
                  f"steps than dstar on {fewer} of {len(worlds)}"
                  + (f" (per world the median over {len(seeds)} seeds)" if len(seeds) > 1 else ""))
            if len(seeds) > 1:
                mine = {(r["maze"], r["seed"]): first_run(r) for r in rows if r["agent"] == a and r["trial"] == "1"}
                theirs = {(r["maze"], r["seed"]): first_run(r) for r in rows
                          if r["agent"] == "dstar" and r["trial"] == "1"}
                both = [k for k in mine if k in theirs]
                fewer = sum(mine[k] <= theirs[k] for k in both)
                print(f"- first trial over all {len(both)} runs: median {a} "
                      f"{statistics.median(mine[k] for k in both):.0f}, dstar "
                      f"{statistics.median(theirs[k] for k in both):.0f}; {a} took no more steps than dstar "
                      f"in {fewer} of {len(both)} runs (same world and seed)")
        ratios = [x for x in (last_ratio(by.get((a, w), [])) for w in worlds) if x is not None]
        print(f"- {a}: trial {last} path/L* median {statistics.median(ratios):.2f}, worst {max(ratios):.2f}, "
              f"within 1.15 on {sum(x <= 1.15 for x in ratios)} of {len(ratios)} worlds"
              + (f" (per world the median over {len(seeds)} seeds)" if len(seeds) > 1 else ""))

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
