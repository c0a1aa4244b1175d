"""Writes report.md and the charts (startup.png, fs.png, memory.png) of a benchmarks/run result
directory from its JSON files; parts that were not run are left out.

    python3 benchmarks/lib/report.py DIR
"""

import json
import os
import re
import statistics
import sys

import matplotlib
from startup_table import table

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first

STARTUP_ORDER = [
    "kubectl exec",
    "lambda-cntr server mode, mount",
    "lambda-cntr warm, mount",
    "lambda-cntr warm, fuse",
    "kubectl attach (warm)",
    "lambda-cntr cold, mount",
    "lambda-cntr cold, fuse",
    "kubectl debug (cold)",
]
FS_COLORS = ["#777777", "#1f77b4", "#9ecae1", "#d62728", "#ff9896"]


def load(directory, name):
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def machines(directory):
    path = os.path.join(directory, "machine.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def spread(values, fmt="{:.0f}"):
    if min(values) == max(values):
        return fmt.format(statistics.median(values))
    median = fmt.format(statistics.median(values))
    return f"{median} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def num(v):
    """A figure with as many digits as it deserves, no exponent."""
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def machine_section(ms):
    if not ms:
        return []
    m = ms[0]
    lines = [
        "## Machine",
        "",
        f"{m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Linux {m['kernel']};"
        f" commit {m['commit']}.",
        "",
        "| part | started (UTC) | load average (1, 5, 15 min) at its start |",
        "|---|---|---|",
    ]
    for x in ms:
        lines.append(
            f"| {x['part']} | {x['date']} | {', '.join(str(v) for v in x['load_average'])} |"
        )
    return lines + [""]


# --- start-up ------------------------------------------------------------------------------------


def startup_section(data, directory):
    s = data["samples"]
    order = [k for k in STARTUP_ORDER if s.get(k)]
    baselines = {k: "kubectl exec" for k in s}
    baselines.update({k: "kubectl exec POD -- true" for k in s if "-- true" in k})
    shown = {k: s[k] for k in [*order, *(k for k in s if k not in STARTUP_ORDER)]}
    lines = [
        "## Start-up latency (thesis Figure 5.1)",
        "",
        f"Time from spawning the command to the first byte of the shell's prompt, through a"
        f" pty (`POD -- true`: to its exit); {data['runs']} rounds, the cases interleaved in each"
        f" round, on node {data['node']}; milliseconds. {data['method']}.",
        "",
        *table(shown, baselines),
        "",
    ]
    lines += phase_table(data.get("phases", {}))
    chart_startup(s, order, os.path.join(directory, "startup.png"))
    lines += ["![start-up latency](startup.png)", ""]
    return lines


def cli_startup_section(data):
    return [
        "## The CLI's start-up, no cluster (`benchmarks/lib/cli_startup.py`)",
        "",
        f"{data['runs']} rounds; {data['method']}; load average at the end"
        f" {', '.join(f'{v:.1f}' for v in data['load_average'])}; first API requests:"
        f" {'; '.join(f'{k}: `{v}`' for k, v in data['first_requests'].items())}.",
        "",
        *table(data["samples"], data["baselines"]),
        "",
        "CPU time (user + system) of the same runs, less sensitive to the machine's load:",
        "",
        *table(data.get("cpu_ms", {}), data["baselines"]),
        "",
    ]


def normalise(message):
    """A phase message without the names that change from run to run."""
    message = re.sub(r"\b[0-9a-f]{12,}\b", "ID", message)
    message = re.sub(r"lambda-cntr-agent-[\w.-]+", "AGENT", message)
    return re.sub(r"\d+(\.\d+)? ?(ms|s)\b", "T", message)


def phase_table(phases):
    if not phases:
        return []
    lines = [
        "### Where lambda-cntr's time goes (`-v` phase lines)",
        "",
        "Median time since spawn at which each `-v` line arrived (up to 3 runs per case), and"
        " the prompt; the difference between lines is the phase.",
        "",
    ]
    for case, runs in phases.items():
        if not runs:
            continue
        lines += [
            f"**{case}** (prompt at {spread([r['prompt_ms'] for r in runs])} ms)",
            "",
            "| ms since spawn | phase line |",
            "|---:|---|",
        ]
        first = runs[0]["lines"]
        for idx, (_, _, message) in enumerate(first):
            at = [r["lines"][idx][0] for r in runs if len(r["lines"]) > idx]
            lines.append(f"| {statistics.median(at):.0f} | {normalise(message)} |")
        lines.append(f"| {statistics.median([r['prompt_ms'] for r in runs]):.0f} | (the prompt) |")
        lines.append("")
    return lines


def chart_startup(s, order, path):
    fig, ax = plt.subplots(figsize=(8, 4.2))
    med = [statistics.median(s[k]) for k in order]
    lo = [m - min(s[k]) for m, k in zip(med, order, strict=True)]
    hi = [max(s[k]) - m for m, k in zip(med, order, strict=True)]
    colors = [
        "#777777"
        if k.startswith("kubectl exec")
        else "#1f77b4"
        if k.startswith("lambda")
        else "#d62728"
        for k in order
    ]
    ax.barh(order, med, xerr=[lo, hi], color=colors, capsize=3)
    for y, (m, k) in enumerate(zip(med, order, strict=True)):
        ax.text(max(s[k]), y, f"  {m:.0f} ms", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("ms to the first byte of the prompt (median, min-max)")
    ax.set_title("Start-up latency: lambda-cntr vs kubectl debug / exec")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# --- file system ----------------------------------------------------------------------------------


def fs_section(data, directory):
    workloads = data["workloads"]
    if not workloads:
        return []
    sides = [x["side"] for x in workloads[0]["sides"]]
    lines = [
        "## File-system overhead (thesis Figure 5.2)",
        "",
        f"Each workload natively and through a session of each tool attached to the same"
        f" containerd container, {data['runs']} run(s), the order of the sides rotating;"
        f" median (min-max), and the ratio of each median to native's (cost over native"
        f" cost: time ratio, inverse throughput ratio; lower is better, 1.00 = native)."
        + (" Quick sizes (development)." if data.get("quick") else ""),
        "",
        "| workload | " + " | ".join(sides) + " | thesis (λ-CNTR) |",
        "|---|" + "---:|" * len(sides) + "---:|",
    ]
    for w in workloads:
        cells = []
        for i, x in enumerate(w["sides"]):
            if x["median"] is None:
                cells.append("failed")
                continue
            cell = num(x["median"])
            if x["min"] != x["max"]:
                cell += f" ({num(x['min'])}-{num(x['max'])})"
            failed = sum(1 for v in x["samples"] if v is None)
            if failed:
                cell += f" [{failed} failed]"
            if i > 0:
                cell += f" **{x['ratio']:.2f}x**"
            cells.append(cell)
        thesis = f"{w['thesis']:.2f}x" if w.get("thesis") is not None else "-"
        lines.append(f"| {w['name']} ({w['unit']}) | " + " | ".join(cells) + f" | {thesis} |")
    lines.append("")
    chart_fs(workloads, sides, os.path.join(directory, "fs.png"))
    lines += ["![file-system overhead](fs.png)", ""]
    return lines


def chart_fs(workloads, sides, path):
    names = [w["name"] for w in workloads]
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(names) + 1.8))
    n = len(sides) - 1
    height = 0.8 / max(n, 1)
    for j in range(1, len(sides)):
        ratios = [w["sides"][j]["ratio"] or 0 for w in workloads]
        ys = [i + (j - 1 - (n - 1) / 2) * height for i in range(len(names))]
        ax.barh(ys, ratios, height=height, label=sides[j], color=FS_COLORS[j % len(FS_COLORS)])
    thesis = [(i, w["thesis"]) for i, w in enumerate(workloads) if w.get("thesis") is not None]
    ax.scatter(
        [t for _, t in thesis],
        [i for i, _ in thesis],
        marker="|",
        s=300,
        color="black",
        label="thesis (λ-CNTR)",
        zorder=3,
    )
    ax.axvline(1.0, color="#444444", linewidth=0.8)
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("overhead vs native (cost ratio, log scale; lower is better)")
    ax.set_title("File-system overhead relative to native")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# --- memory ---------------------------------------------------------------------------------------


def memory_section(data, directory):
    s = {k: v for k, v in data["samples"].items() if v}
    lines = [
        "## Memory footprint (thesis Figure 5.3)",
        "",
        f"{data['method']}. {data['runs']} sample(s); KiB, median (min-max).",
        "",
        "| container | working set | RSS | page cache |",
        "|---|---:|---:|---:|",
    ]
    for k, v in s.items():
        lines.append(
            f"| {k} | {spread([x['working_set_kib'] for x in v])} |"
            f" {spread([x['rss_kib'] for x in v])} | {spread([x['cache_kib'] for x in v])} |"
        )
    lines.append("")
    chart_memory(s, os.path.join(directory, "memory.png"))
    lines += ["![memory](memory.png)", ""]
    return lines


def chart_memory(s, path):
    names = list(s)
    ws = [statistics.median([x["working_set_kib"] for x in s[k]]) / 1024 for k in names]
    rss = [statistics.median([x["rss_kib"] for x in s[k]]) / 1024 for k in names]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(names) + 1.6))
    ys = range(len(names))
    ax.barh([y - 0.2 for y in ys], ws, height=0.4, label="working set", color="#1f77b4")
    ax.barh([y + 0.2 for y in ys], rss, height=0.4, label="RSS", color="#ff7f0e")
    ax.set_yticks(list(ys))
    ax.set_yticklabels(names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("MiB (median)")
    ax.set_title("Memory of the debugging containers (cgroup v1 accounting)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# --- goals ---------------------------------------------------------------------------------------


def server_memory_goals(s):
    """Issue 14's memory goals: an idle node agent at most 32 MiB, each open session adding at most
    2x the ephemeral container of kubectl debug, a gateway replica at most 128 MiB (working set)."""

    def ws(key):
        return statistics.median([x["working_set_kib"] for x in s[key]]) if s.get(key) else None

    rows = []
    idle = ws("node agent (server mode), idle")
    if idle is not None:
        rows.append(
            ("node agent idle at most 32 MiB (working set)", f"{idle} KiB", idle <= 32 * 1024)
        )
    gateway = ws("gateway replica (server mode), idle")
    if gateway is not None:
        rows.append(
            (
                "gateway replica at most 128 MiB (working set)",
                f"{gateway} KiB",
                gateway <= 128 * 1024,
            )
        )
    during = ws("node agent (server mode), mount session")
    target_idle = ws("target (busybox), idle, server mode")
    target_during = ws("target during a server-mode session")
    ephemeral = ws("ephemeral container (kubectl debug)")
    if None not in (idle, during, target_idle, target_during, ephemeral):
        added = (during - idle) + (target_during - target_idle)
        rows.append(
            (
                "a server-mode session adds at most 2x the ephemeral container"
                " (node agent + target, working set)",
                f"{added:.0f} vs {ephemeral} KiB ({added / ephemeral:.2f}x)",
                added <= 2 * ephemeral,
            )
        )
    return rows


def goals(startup, fs, mem):
    rows = []

    def med(key):
        return statistics.median(startup["samples"][key])

    if startup:
        s = startup["samples"]
        if s.get("kubectl exec"):
            for fs_name in ("mount", "fuse"):
                k = f"lambda-cntr warm, {fs_name}"
                if s.get(k):
                    r = med(k) / med("kubectl exec")
                    rows.append(
                        (
                            f"warm attach ({fs_name}) within 1.3x of kubectl exec",
                            f"{r:.2f}x",
                            r <= 1.3,
                        )
                    )
            if s.get("lambda-cntr server mode, mount"):
                r = med("lambda-cntr server mode, mount") / med("kubectl exec")
                rows.append(
                    ("server-mode attach within 1.3x of kubectl exec", f"{r:.2f}x", r <= 1.3)
                )
        if s.get("kubectl debug (cold)"):
            for fs_name in ("mount", "fuse"):
                k = f"lambda-cntr cold, {fs_name}"
                if s.get(k):
                    a, b = med(k), med("kubectl debug (cold)")
                    rows.append(
                        (
                            f"cold attach ({fs_name}) no slower than kubectl debug cold",
                            f"{a:.0f} vs {b:.0f} ms",
                            a <= b,
                        )
                    )
    if fs:
        for w in fs["workloads"]:
            by = {x["side"]: x for x in w["sides"]}
            if "lambda-cntr fuse" in by and w.get("thesis") is not None:
                r = by["lambda-cntr fuse"]["ratio"]
                rows.append(
                    (
                        f"cntrfs better than the thesis: {w['name']}",
                        "failed" if r is None else f"{r:.2f}x vs {w['thesis']:.2f}x",
                        r is not None and r < w["thesis"],
                    )
                )
            if "lambda-cntr mount" in by:
                r = by["lambda-cntr mount"]["ratio"]
                rows.append(
                    (
                        f"mount API within 1.05x of native: {w['name']}",
                        "failed" if r is None else f"{r:.2f}x",
                        r is not None and r <= 1.05,
                    )
                )
    if mem:
        s = mem["samples"]
        if s.get("agent container, idle") and s.get("ephemeral container (kubectl debug)"):
            for key in ("agent container, idle", "agent pod, idle"):
                if s.get(key):
                    a = statistics.median([x["working_set_kib"] for x in s[key]])
                    b = statistics.median(
                        [x["working_set_kib"] for x in s["ephemeral container (kubectl debug)"]]
                    )
                    rows.append(
                        (
                            f"{key} within 2x of the ephemeral container (working set)",
                            f"{a} vs {b} KiB ({a / b:.2f}x)",
                            a <= 2 * b,
                        )
                    )
    if mem:
        rows += server_memory_goals(mem["samples"])
    if not rows:
        return []
    met = sum(1 for r in rows if r[2])
    lines = [
        "## Goals",
        "",
        f"{met} of {len(rows)} met.",
        "",
        "| goal | measured | |",
        "|---|---|---|",
    ]
    for goal, value, ok in rows:
        lines.append(f"| {goal} | {value} | {'met' if ok else '**missed**'} |")
    return lines + [""]


def main():
    directory = sys.argv[1]
    startup, fs, mem = (load(directory, f) for f in ("startup.json", "fs.json", "memory.json"))
    cli = load(directory, "cli-startup.json")
    ms = machines(directory)
    date = ms[0]["date"][:10] if ms else ""
    lines = [
        f"# lambda-cntr evaluation {date}",
        "",
        "Produced by `benchmarks/run` (see benchmarks/README.md); the thesis's"
        " Figures 5.1-5.3 side by side with kubectl and cntr, on one machine, one run.",
        "",
    ]
    lines += machine_section(ms)
    lines += goals(startup, fs, mem)
    if cli:
        lines += cli_startup_section(cli)
    if startup:
        lines += startup_section(startup, directory)
    if fs:
        lines += fs_section(fs, directory)
    if mem:
        lines += memory_section(mem, directory)
    with open(os.path.join(directory, "report.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
