"""The one start-up table every benchmarks/run start-up result is shown in: per case the median,
the interquartile range and min-max of its samples, and the ratio of its median to the median of
its baseline case, measured in the same run (both interleaved, round by round)."""

import statistics


def quartiles(values):
    if len(values) < 2:
        return values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[2]


def table(samples, baselines, unit="ms"):
    """Markdown lines: SAMPLES maps a case to its values, BASELINES a case to its baseline case
    (absent: no ratio); cases in SAMPLES' order, empty ones left out."""
    lines = [
        f"| case | median {unit} | IQR {unit} | min-max {unit} | n | vs baseline |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for case, values in samples.items():
        if not values:
            continue
        median = statistics.median(values)
        low, high = quartiles(values)
        base = baselines.get(case)
        ratio = "-"
        if base == case:
            ratio = "1.00x (baseline)"
        elif base and samples.get(base):
            ratio = f"{median / statistics.median(samples[base]):.2f}x"
        lines.append(
            f"| {case} | {median:.0f} | {low:.0f}-{high:.0f} | {min(values):.0f}-{max(values):.0f}"
            f" | {len(values)} | {ratio} |"
        )
    return lines
