#!/usr/bin/env python3
"""Compare a search-mode `sns bench` (--hide-goal) with the goal-known one on the same mazes and seeds.

Usage: scripts/bench-search.py HIDDEN/runs.csv KNOWN/runs.csv
Per agent and maze group: trials solved, median and mean first-trial steps with the goal hidden and
known, the median over runs of their ratio, and the last trial's path / L*.
"""
import collections
import csv
import statistics
import sys


def group(maze):
    base = maze.split(":")[0]
    if base in ("medium", "large", "giant") and ":" in maze:
        return base + " tasks 1-5"
    return maze if ":" in maze else base


def main(hidden_path, known_path):
    hidden = list(csv.DictReader(open(hidden_path)))
    known = list(csv.DictReader(open(known_path)))
    last = max(int(r["trial"]) for r in hidden)
    first_known = {(r["agent"], r["maze"], r["task"], r["seed"]): int(r["steps"])
                   for r in known if r["trial"] == "1" and r["success"] == "true"}
    print("| agent | mazes | trials solved | T1 steps hidden, median (mean) | T1 steps known, median (mean) "
          f"| median ratio | T{last} path/L* median (worst) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for agent in dict.fromkeys(r["agent"] for r in hidden):
        groups = collections.defaultdict(list)
        for r in hidden:
            if r["agent"] == agent:
                groups[group(r["maze"])].append(r)
        for g, rs in groups.items():
            ok = sum(r["success"] == "true" for r in rs)
            pairs = [(int(r["steps"]), first_known.get((agent, r["maze"], r["task"], r["seed"])))
                     for r in rs if r["trial"] == "1" and r["success"] == "true"]
            pairs = [(h, k) for h, k in pairs if k is not None]
            hs, ks = [h for h, _ in pairs], [k for _, k in pairs]
            ratio = statistics.median(h / k for h, k in pairs) if pairs else float("nan")
            t3 = [float(r["path_length"]) / float(r["shortest_path"]) for r in rs
                  if r["trial"] == str(last) and r["success"] == "true"]
            print(f"| {agent} | {g} | {ok}/{len(rs)} | {statistics.median(hs):.0f} ({statistics.mean(hs):.0f}) | "
                  f"{statistics.median(ks):.0f} ({statistics.mean(ks):.0f}) | {ratio:.1f} | "
                  f"{statistics.median(t3):.2f} ({max(t3):.2f}) |")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] in ("-h", "--help"):
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
