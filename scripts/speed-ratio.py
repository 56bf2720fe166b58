#!/usr/bin/env python3
"""Whole-run speed of SNS on the 61x61 perfect mazes against `large` (issue 11's real-time bar: at
least half), measured in one invocation on one machine.

Usage: scripts/speed-ratio.py [path/to/sns] [repeats]
Runs `sns run --trials 3 --json` on large's OGBench tasks 1-5 (each `repeats` times: those runs are
short, so their speed is noisy) and on perfect:61x61:{0,1,2}, and prints the medians of
`steps_per_second` and their ratio.
"""
import json
import statistics
import subprocess
import sys


def speed(sns, args):
    out = subprocess.run([sns, "run", *args, "--trials", "3", "--max-steps", "2000000", "--quiet", "--json"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["steps_per_second"]


def main(sns, repeats):
    large = [speed(sns, ["--maze", "large", "--task", str(t)]) for t in range(1, 6) for _ in range(repeats)]
    big = [speed(sns, ["--maze", f"perfect:61x61:{s}"]) for s in range(3)]
    print(f"large tasks 1-5 x {repeats}: median {statistics.median(large):.0f} steps/s "
          f"(min {min(large):.0f}, max {max(large):.0f})")
    print(f"perfect:61x61 seeds 0-2: {', '.join(f'{x:.0f}' for x in big)}; median {statistics.median(big):.0f}")
    print(f"ratio of medians: {statistics.median(big) / statistics.median(large):.2f} (bar: 0.5)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "./target/release/sns",
         int(sys.argv[2]) if len(sys.argv) > 2 else 3)
