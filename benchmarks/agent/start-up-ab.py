#!/usr/bin/env python3
"""Agent start-up, two agent distributions against each other (root): each one's launcher runs
`attach --fs BACKEND --pid P -- true` on a host process (tools root /), wall time from start to
exit, per backend and with and without the AOT cache, variants interleaved after one warm-up round
so that a busy machine slows all alike; then the agent's own trace steps (LAMBDA_CNTR_TRACE=1,
--fs mount, AOT cache). Prints Markdown tables of the medians.

    benchmarks/agent/start-up-ab.py A_DIST B_DIST [RUNS]      (RUNS default 21)

A_DIST and B_DIST are agent distributions (attach-agent/target/agent-dist of two checkouts); a
run of `git archive BASE | tar -x -C DIR` and `./mvnw -pl attach-agent -am package -DskipTests`
in DIR gives the base's.
"""

import os
import re
import statistics
import subprocess
import sys
import time

VARIANTS = [("mount", True), ("mount", False), ("fuse", True)]


def attach(dist, pid, backend, aot, trace=False):
    env = dict(os.environ)
    if not aot:
        env["LAMBDA_CNTR_AOT"] = "off"
    if trace:
        env["LAMBDA_CNTR_TRACE"] = "1"
    command = [f"{dist}/bin/lambda-cntr-agent", "attach", "--fs", backend, "--pid", str(pid)]
    start = time.monotonic_ns()
    result = subprocess.run(
        [*command, "--", "true"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    millis = (time.monotonic_ns() - start) / 1e6
    if result.returncode != 0:
        sys.exit(f"{dist} --fs {backend}: exit {result.returncode}: {result.stderr.decode()}")
    return millis, result.stderr.decode()


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    dists = {"A": sys.argv[1], "B": sys.argv[2]}
    runs = int(sys.argv[3]) if len(sys.argv) == 4 else 21
    target = subprocess.Popen(["sleep", "3600"])
    wall = {(name, variant): [] for name in dists for variant in VARIANTS}
    steps = {}
    try:
        for run in range(-1, runs):  # run -1 warms the caches up and is not counted
            for variant in VARIANTS:
                for name, dist in dists.items():
                    millis, _ = attach(dist, target.pid, *variant)
                    if run >= 0:
                        wall[(name, variant)].append(millis)
        for _ in range(runs):
            for name, dist in dists.items():
                _, stderr = attach(dist, target.pid, "mount", True, trace=True)
                for line in stderr.splitlines():
                    step = re.match(r"lambda-cntr-agent: ([\d.]+) ms (.*)", line)
                    if step:
                        key = re.sub(r"\d+", "N", step.group(2))
                        steps.setdefault(key, {}).setdefault(name, []).append(float(step.group(1)))
    finally:
        target.kill()
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"A: {dists['A']}\nB: {dists['B']}\n")
    print(f"{runs} runs per variant, interleaved; load average at the end: {load}\n")
    print("| `attach -- true`, start to exit | A median ms | B median ms | B / A |")
    print("|---|---:|---:|---:|")
    for variant in VARIANTS:
        a = statistics.median(wall[("A", variant)])
        b = statistics.median(wall[("B", variant)])
        cache = "AOT cache" if variant[1] else "no AOT cache"
        print(f"| `--fs {variant[0]}`, {cache} | {a:.1f} | {b:.1f} | {b / a:.2f} |")
    print("\n| trace step (`--fs mount`, AOT cache), ms since `main` | A median | B median |")
    print("|---|---:|---:|")
    for key, by in steps.items():
        cells = [f"{statistics.median(by[n]):.1f}" if n in by else "-" for n in dists]
        print(f"| {key} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
