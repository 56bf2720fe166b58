#!/usr/bin/env python3
"""Condense classic-control `sns bench` runs.csv files into the tables of BENCHMARKS.md section 6.

Usage: scripts/bench-control.py RUNS.csv [RUNS.csv ...]
Per agent and world: trials solved; first-trial steps (median, worst over seeds); last-trial steps and
steps / optimal (median, worst; optimal = the oracle's minimum, where the world has one); and, for
worlds named `*-midway` (a change in trial 2) or changed from the start, the last trial's steps against
the first trial's on the same seed (issue 12's bar: within 2 x).
"""
import csv
import statistics
import sys


def main(paths):
    print("| agent | world | trials solved | T1 steps median (worst) | T3 steps median (worst) "
          "| T3 / optimal median (worst) | T3 / T1 worst |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for path in paths:
        rows = list(csv.DictReader(open(path)))
        last = str(max(int(r["trial"]) for r in rows))
        keys = list(dict.fromkeys((r["agent"], r["maze"]) for r in rows))
        for agent, world in keys:
            rs = [r for r in rows if r["agent"] == agent and r["maze"] == world]
            ok = sum(r["success"] == "true" for r in rs)
            by_seed = {}
            for r in rs:
                by_seed.setdefault(r["seed"], {})[r["trial"]] = r
            t1 = [int(t["1"]["steps"]) for t in by_seed.values() if t["1"]["success"] == "true"]
            t3 = [int(t[last]["steps"]) for t in by_seed.values() if t[last]["success"] == "true"]
            opt = [int(t[last]["steps"]) / int(t[last]["optimal_steps"]) for t in by_seed.values()
                   if t[last]["success"] == "true" and t[last].get("optimal_steps") not in ("", None)]
            ratio = [int(t[last]["steps"]) / int(t["1"]["steps"]) for t in by_seed.values()
                     if t[last]["success"] == "true" and t["1"]["success"] == "true"]

            def cell(xs, fmt):
                return f"{fmt(statistics.median(xs))} ({fmt(max(xs))})" if xs else "-"

            print(f"| {agent} | {world} | {ok}/{len(rs)} | {cell(t1, lambda x: f'{x:.0f}')} | "
                  f"{cell(t3, lambda x: f'{x:.0f}')} | {cell(opt, lambda x: f'{x:.2f}')} | "
                  f"{f'{max(ratio):.2f}' if ratio else '-'} |")


if __name__ == "__main__":
    main(sys.argv[1:])
