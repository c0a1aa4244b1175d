"""Prints one JSON line describing the machine now: kernel, CPU, cores, memory, load, commit."""

import datetime
import json
import os
import platform
import subprocess
import sys


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def mem_total_gib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None


def commit():
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


print(
    json.dumps(
        {
            "part": sys.argv[1] if len(sys.argv) > 1 else None,
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "kernel": platform.release(),
            "cpu": cpu_model(),
            "cores": os.cpu_count(),
            "memory_gib": mem_total_gib(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "commit": commit(),
        }
    )
)
