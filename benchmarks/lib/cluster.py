"""The cluster parts of benchmarks/run: start-up latency and memory, on the test bed (or the
cluster in KUBECONFIG). Called by benchmarks/run under the test bed lock:

    python3 benchmarks/lib/cluster.py startup|memory [--runs N] [--quick] --out DIR

Every interactive command is driven through a real pseudo-terminal, as a user runs it, and timed
from spawn to the first byte of the shell's prompt; the non-interactive ones (`execute POD --
true`, `kubectl exec POD -- true`) from spawn to exit. Everything it creates lives in one
namespace of its own (fresh target pods, their ephemeral containers) and in the agents' namespace
(lambda-cntr cleanup); both are removed at the end, also on failure or interruption.
"""

import argparse
import errno
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

CACHE = os.environ.get("LAMBDA_CNTR_CACHE", "/var/cache/lambda-cntr")
KUBECTL = os.environ.get("KUBECTL", f"{CACHE}/k8s-v1.34.4/bin/kubectl")
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LC = os.environ.get("LAMBDA_CNTR", f"{REPO}/cli/target/dist/bin/lambda-cntr")
# Another build's cli/target/dist (benchmarks/run --baseline): its warm attach and execute in the
# same rounds, with its agents in a namespace of their own (each build's CLI replaces an agent whose
# template is not its own, so sharing one would make every session of both builds cold).
BASELINE = os.environ.get("LAMBDA_CNTR_BASELINE")
BASELINE_AGENTS = "lambda-cntr-bench-baseline"
NS = "lambda-cntr-bench-run"
# The rows of earlier rounds start a new CLI per session; benchmarks/cluster/standby-start measures
# standby processes (cli/README.md) and turns them on per case.
os.environ.setdefault("LAMBDA_CNTR_STANDBY", "off")
AGENTS = "lambda-cntr"
AGENT_LABEL = "app.kubernetes.io/name=lambda-cntr-agent"
CGROUP_MEMORY = "/sys/fs/cgroup/memory"

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]|\r")
PROMPT = re.compile(rb"[#$] $")
BANNER = b"If you don't see a command prompt"
PHASE = re.compile(r"lambda-cntr \[(\d+\.\d+)s\] (.*)")


def kubectl_debug_argv(pod):
    """kubectl debug's ephemeral container with a shell in POD, as the baselines run it."""
    return [
        KUBECTL,
        "debug",
        "-it",
        "-n",
        NS,
        pod,
        "--target=target",
        f"--image={DEBUG_IMAGE}",
        "--image-pull-policy=IfNotPresent",
        "--profile=general",
        "--container=debugger",
        "--",
        "bash",
    ]


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def version():
    with open(f"{REPO}/pom.xml") as f:
        return re.search(r"<version>([^<]+)</version>", f.read()).group(1)


VERSION = version()
DEBUG_IMAGE = f"ghcr.io/lambda-cntr/debug:{VERSION}"
BUSYBOX_IMAGE = f"ghcr.io/lambda-cntr/target-busybox:{VERSION}"


def kubectl(*args, check=True, capture=True, timeout=180):
    result = subprocess.run([KUBECTL, *args], capture_output=capture, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(f"kubectl {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


# --- driving a command through a pty -------------------------------------------------------------


class Session:
    """A command on a pty: timed from spawn to the prompt; its output kept for the report."""

    def __init__(self, argv, env=None):
        self.argv = argv
        self.output = bytearray()
        self.stderr_lines = []  # (ms since spawn, line) of the command's stderr (phase lines)
        env = dict(os.environ, TERM="xterm", **(env or {}))
        err_r, err_w = os.pipe()
        self.start = time.monotonic()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child: stderr to the pipe, so phase lines stay apart from the screen
            # A terminal of a usual size: a new pty is 0x0, and readline draws no prompt in 0
            # columns once kubectl passes that size on.
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
            os.dup2(err_w, 2)
            os.close(err_r)
            os.execvpe(argv[0], argv, env)
        os.close(err_w)
        self.err = err_r
        self.err_buffer = b""

    def ms(self):
        return (time.monotonic() - self.start) * 1000

    def _pump(self, timeout):
        """Reads what is there within timeout seconds; False when the pty is closed."""
        fds = [self.fd] + ([self.err] if self.err is not None else [])
        readable, _, _ = select.select(fds, [], [], timeout)
        alive = True
        for fd in readable:
            try:
                data = os.read(fd, 65536)
            except OSError as e:
                if e.errno != errno.EIO:
                    raise
                data = b""
            if fd == self.err:
                self._stderr(data)
                if not data:
                    os.close(self.err)
                    self.err = None
            elif not data:
                alive = False
            else:
                self.output += data
        return alive

    def _stderr(self, data):
        self.err_buffer += data
        while b"\n" in self.err_buffer:
            line, self.err_buffer = self.err_buffer.split(b"\n", 1)
            self.stderr_lines.append((self.ms(), line.decode(errors="replace")))

    def wait_prompt(self, timeout, press_enter_after_banner=False):
        """Milliseconds from spawn to the prompt. With press_enter_after_banner (kubectl attach and
        debug, whose shell may have printed its prompt before the client attached), Enter is sent
        as soon as kubectl says it is attached, as its message asks, unless the prompt is there."""
        deadline = time.monotonic() + timeout
        pressed = False
        while time.monotonic() < deadline:
            if not self._pump(0.05):
                break
            visible = ANSI.sub(b"", bytes(self.output))
            if PROMPT.search(visible[-200:]):
                return self.ms()
            if (
                press_enter_after_banner
                and not pressed
                and (
                    BANNER in self.output
                    or any(BANNER.decode() in line for _, line in self.stderr_lines)
                )
            ):
                os.write(self.fd, b"\r")
                pressed = True
        raise RuntimeError(
            f"no prompt from {' '.join(self.argv)} within {timeout} s; output:\n"
            + self.output.decode(errors="replace")[-2000:]
            + "\nstderr:\n"
            + "\n".join(line for _, line in self.stderr_lines[-20:])
        )

    def send(self, text):
        os.write(self.fd, text.encode())

    def finish(self, timeout=30):
        """Waits for the command to exit (after `exit` was sent); its exit status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._pump(0.1):
                break
        return self.kill(wait=deadline - time.monotonic())

    def kill(self, wait=5.0):
        """Ends the command (SIGTERM, then SIGKILL) and reaps it; its exit status."""
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None:
                try:
                    os.kill(self.pid, sig)
                except ProcessLookupError:
                    pass
            end = time.monotonic() + max(wait, 0.5)
            while time.monotonic() < end:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self._close()
                    return os.waitstatus_to_exitcode(status)
                try:
                    self._pump(0.05)
                except OSError:
                    time.sleep(0.05)
            wait = 5.0
        raise RuntimeError(f"{' '.join(self.argv)} does not end")

    def _close(self):
        for fd in (self.fd, self.err):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.err = None

    def phases(self):
        """The CLI's -v phase lines: (ms since spawn when printed, seconds it states, message)."""
        out = []
        for at, line in self.stderr_lines:
            m = PHASE.search(line)
            if m:
                out.append((round(at, 1), float(m.group(1)), m.group(2)))
        return out


def shell_session(argv, timeout=120, exit_after=True, banner=False, env=None):
    """Runs argv on a pty to its prompt; returns (ms to prompt, Session). With exit_after the
    shell is left with `exit` and the command must end with status 0."""
    s = Session(argv, env)
    try:
        ms = s.wait_prompt(timeout, press_enter_after_banner=banner)
    except BaseException:
        s.kill()
        raise
    if exit_after:
        s.send("exit\r")
        status = s.finish()
        if status != 0:
            raise RuntimeError(f"{' '.join(argv)} exited with status {status}")
    return ms, s


# --- the cluster objects of a run -----------------------------------------------------------------


def busybox_pod(name, node):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": NS, "labels": {"lambda-cntr.dev/bench": "run"}},
        "spec": {
            "nodeName": node,
            "terminationGracePeriodSeconds": 1,
            "containers": [
                {"name": "target", "image": BUSYBOX_IMAGE, "imagePullPolicy": "IfNotPresent"}
            ],
        },
    }


def create_pods(names, node):
    items = {"apiVersion": "v1", "kind": "List", "items": [busybox_pod(n, node) for n in names]}
    subprocess.run(
        [KUBECTL, "apply", "-f", "-"],
        input=json.dumps(items),
        text=True,
        check=True,
        capture_output=True,
    )
    kubectl(
        "-n",
        NS,
        "wait",
        "--for=condition=Ready",
        "--timeout=300s",
        *[f"pod/{n}" for n in names],
        timeout=330,
    )


def pick_node():
    nodes = json.loads(kubectl("get", "nodes", "-o", "json"))["items"]
    ready = [
        n["metadata"]["name"]
        for n in nodes
        if any(c["type"] == "Ready" and c["status"] == "True" for c in n["status"]["conditions"])
        and not n["spec"].get("unschedulable")
    ]
    if not ready:
        raise RuntimeError("no ready node")
    return sorted(ready)[0]


def lc_cleanup():
    subprocess.run([LC, "cleanup", "-q"], check=True, capture_output=True, timeout=120)
    kubectl(
        "-n",
        AGENTS,
        "wait",
        "--for=delete",
        "pod",
        "-l",
        AGENT_LABEL,
        "--timeout=120s",
        check=False,
        timeout=150,
    )


def baseline_cleanup():
    """The baseline build's agents and their namespace, when it ran."""
    if not BASELINE:
        return
    baseline_agents_removed()
    kubectl("delete", "namespace", BASELINE_AGENTS, "--ignore-not-found", "--wait=true",
            "--timeout=180s", timeout=200)  # fmt: skip


def baseline_launcher():
    return f"{BASELINE}/bin/lambda-cntr"


def baseline_agents_removed():
    """The baseline build's agents deleted (its cleanup) and gone."""
    subprocess.run(
        [baseline_launcher(), "cleanup", "-q", "--agent-namespace", BASELINE_AGENTS],
        check=True,
        capture_output=True,
        timeout=120,
    )
    kubectl("-n", BASELINE_AGENTS, "wait", "--for=delete", "pod", "-l", AGENT_LABEL,
            "--timeout=120s", check=False, timeout=150)  # fmt: skip


def baseline_agent_renewed():
    """The baseline build's agents removed, then one untimed cold session makes a new one."""
    baseline_agents_removed()
    shell_session(baseline_argv("attach", "--fs", "mount", "target"))


def setup(node):
    kubectl("create", "namespace", NS)
    lc_cleanup()


def teardown():
    log("cleanup: namespace, agents")
    errors = []
    for step in (
        lambda: kubectl(
            "delete",
            "namespace",
            NS,
            "--ignore-not-found",
            "--wait=true",
            "--timeout=180s",
            timeout=200,
        ),
        lc_cleanup,
        baseline_cleanup,
        server_uninstall,
    ):
        try:
            step()
        except Exception as e:  # noqa: BLE001 - report every cleanup failure, go on with the rest
            errors.append(str(e))
    if errors:
        log("cleanup failed: " + "; ".join(errors))


def lc_attach(pod, fs, verbose=False, mode="direct"):
    argv = [LC, "attach", "-n", NS, "--mode", mode, "--fs", fs, pod]
    if verbose:
        argv.insert(2, "-v")
    return argv


def baseline_argv(command, *args):
    """The baseline build's command line in direct mode, its agents in BASELINE_AGENTS (without
    --mode direct, auto mode took server mode, which the rounds install, until 2026-12-07)."""
    return [baseline_launcher(), command, "-n", NS, "--mode", "direct", "--agent-namespace",
            BASELINE_AGENTS, *args]  # fmt: skip


def lc_execute_true(launcher, mode="direct"):
    return [launcher, "execute", "-q", "-n", NS, "--mode", mode, "target", "--", "true"]


def server_install():
    """Server mode (lambda-cntr install: gateway, node agents, APIService) with this build's
    debug image; the direct-mode cases name --mode direct, so both run in the same rounds."""
    log("server mode: lambda-cntr install")
    subprocess.run([LC, "install"], check=True, capture_output=True, timeout=300)


def server_uninstall():
    subprocess.run([LC, "uninstall"], check=True, capture_output=True, timeout=300)


def timed(argv):
    """Milliseconds from spawn to exit of a command that must succeed."""
    start = time.monotonic_ns()
    subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, check=True, timeout=120)
    return (time.monotonic_ns() - start) / 1e6


# --- start-up latency -----------------------------------------------------------------------------


def startup(runs, node):
    log(f"startup: {runs} rounds on {node}")
    pods = ["target"] + [f"debug-{i}" for i in range(runs)]
    create_pods(pods, node)
    samples = {
        k: []
        for k in (
            "kubectl exec",
            "lambda-cntr warm, mount",
            "lambda-cntr warm, fuse",
            "kubectl attach (warm)",
            "kubectl debug (cold)",
            "lambda-cntr cold, mount",
            "lambda-cntr cold, fuse",
            "kubectl exec POD -- true",
            "lambda-cntr execute POD -- true, warm",
            "lambda-cntr execute POD -- true, warm, baseline build",
            "lambda-cntr warm, mount, baseline build",
            "lambda-cntr server mode, mount",
            "lambda-cntr execute POD -- true, server mode",
            "lambda-cntr execute POD -- true, server mode, baseline build",
            "lambda-cntr server mode, mount, baseline build",
        )
    }
    phases = {}
    exec_argv = [KUBECTL, "exec", "-it", "-n", NS, "target", "--", "sh"]
    # One of each first, untimed: the API server's, kubelet's and page cache's first-time costs.
    shell_session(exec_argv)
    shell_session(lc_attach("target", "mount"))
    if BASELINE:
        shell_session(baseline_argv("attach", "--fs", "mount", "target"))
    server_install()
    shell_session(lc_attach("target", "mount", mode="server"))

    def direct_this_build():
        # Cold lambda-cntr: no agent on the node.
        for fs in ("mount", "fuse"):
            lc_cleanup()
            ms, _ = shell_session(lc_attach("target", fs))
            samples[f"lambda-cntr cold, {fs}"].append(ms)
        # Warm: the agent is there (the fuse one from just now).
        for fs in ("fuse", "mount"):
            ms, _ = shell_session(lc_attach("target", fs))
            samples[f"lambda-cntr warm, {fs}"].append(ms)
        samples["lambda-cntr execute POD -- true, warm"].append(timed(lc_execute_true(LC)))

    def direct_baseline_build():
        # Its warm cases also follow a cold start on a new agent pod, as this build's do, rather
        # than an agent kept from the first round.
        baseline_agent_renewed()
        ms, _ = shell_session(baseline_argv("attach", "--fs", "mount", "target"))
        samples["lambda-cntr warm, mount, baseline build"].append(ms)
        samples["lambda-cntr execute POD -- true, warm, baseline build"].append(
            timed(baseline_argv("execute", "-q", "target", "--", "true"))
        )

    def server_mode(launcher, suffix):
        # server mode installed by this build: with the baseline build only the CLI differs
        ms, _ = shell_session([launcher, *lc_attach("target", "mount", mode="server")[1:]])
        samples[f"lambda-cntr server mode, mount{suffix}"].append(ms)
        samples[f"lambda-cntr execute POD -- true, server mode{suffix}"].append(
            timed(lc_execute_true(launcher, mode="server"))
        )

    for i in range(runs):
        debug_pod = f"debug-{i}"
        # Each build's direct-mode block, then each build's server-mode cases; with a baseline
        # the builds take turns going first, so neither always follows the other's agent start.
        direct = [direct_this_build] + ([direct_baseline_build] if BASELINE else [])
        server = [lambda: server_mode(LC, "")] + (
            [lambda: server_mode(baseline_launcher(), ", baseline build")] if BASELINE else []
        )
        if i % 2:
            direct.reverse()
            server.reverse()
        for block in direct:
            block()
        ms, _ = shell_session(exec_argv)
        samples["kubectl exec"].append(ms)
        # Not interactive: spawn to exit, the floor first.
        samples["kubectl exec POD -- true"].append(
            timed([KUBECTL, "exec", "-n", NS, "target", "--", "true"])
        )
        for block in server:
            block()
        # kubectl debug on a fresh pod: its ephemeral container is created now (cold); leaving
        # kubectl (killed, as a closed terminal would) keeps that container's shell running.
        ms, s = shell_session(
            kubectl_debug_argv(debug_pod),
            exit_after=False,
            banner=True,
        )
        s.kill()
        samples["kubectl debug (cold)"].append(ms)
        # Warm: attach again to the same ephemeral container.
        ms, s = shell_session(
            [KUBECTL, "attach", "-it", "-n", NS, debug_pod, "-c", "debugger"],
            exit_after=False,
            banner=True,
        )
        s.kill()
        samples["kubectl attach (warm)"].append(ms)
        done = ", ".join(f"{k} {v[-1]:.0f}" for k, v in samples.items() if v)
        log(f"round {i + 1}: {done}")
    # The CLI's own account of where the time goes (-v), cold and warm, per backend.
    for fs in ("mount", "fuse"):
        for kind in ("cold", "warm"):
            runs_phases = []
            for _ in range(min(3, runs)):
                if kind == "cold":
                    lc_cleanup()
                ms, s = shell_session(lc_attach("target", fs, verbose=True))
                runs_phases.append({"prompt_ms": round(ms, 1), "lines": s.phases()})
            phases[f"lambda-cntr {kind}, {fs}"] = runs_phases
    return {
        "node": node,
        "runs": runs,
        "samples": samples,
        "phases": phases,
        "method": "spawn to the first byte of the prompt through a pty (python pty); kubectl"
        " debug/attach: Enter pressed once kubectl prints that it is attached; `-- true`:"
        " spawn to exit",
    }


# --- memory ---------------------------------------------------------------------------------------


def container_id(pod, name, ephemeral=False):
    status = json.loads(kubectl("-n", pod[0], "get", "pod", pod[1], "-o", "json"))["status"]
    key = "ephemeralContainerStatuses" if ephemeral else "containerStatuses"
    for c in status.get(key, []):
        if c["name"] == name and c.get("containerID"):
            return c["containerID"].split("://", 1)[1]
    raise RuntimeError(f"no container {name} in pod {pod[0]}/{pod[1]}")


def cgroup_dir(cid):
    """The container's directory in the cgroup v1 memory hierarchy (cgroupfs driver: the
    directory is named by the container ID)."""
    for root, dirs, _ in os.walk(CGROUP_MEMORY):
        if cid in dirs:
            return os.path.join(root, cid)
    raise RuntimeError(f"no memory cgroup for container {cid} under {CGROUP_MEMORY}")


def memory(path):
    """KiB figures of a memory cgroup: usage, working set (usage - inactive file, what the kubelet
    and the Metrics Server report), rss and cache (memory.stat, hierarchical totals)."""
    stat = {}
    with open(os.path.join(path, "memory.stat")) as f:
        for line in f:
            k, v = line.split()
            stat[k] = int(v)
    with open(os.path.join(path, "memory.usage_in_bytes")) as f:
        usage = int(f.read())
    return {
        "usage_kib": usage // 1024,
        "working_set_kib": max(usage - stat.get("total_inactive_file", 0), 0) // 1024,
        "rss_kib": stat.get("total_rss", 0) // 1024,
        "cache_kib": stat.get("total_cache", 0) // 1024,
    }


def agent_pod():
    pods = json.loads(kubectl("-n", AGENTS, "get", "pod", "-l", AGENT_LABEL, "-o", "json"))["items"]
    running = [p for p in pods if p["status"].get("phase") == "Running"]
    if len(running) != 1:
        raise RuntimeError(f"expected one running agent pod, found {len(running)}")
    return AGENTS, running[0]["metadata"]["name"]


SERVER_NS = "lambda-cntr-system"


def server_pods(name, node=None):
    """(namespace, name) of server mode's running pods labelled NAME, on NODE if given."""
    pods = json.loads(
        kubectl("-n", SERVER_NS, "get", "pod", "-l", f"app.kubernetes.io/name={name}", "-o", "json")
    )["items"]
    return [
        (SERVER_NS, p["metadata"]["name"])
        for p in pods
        if p["status"].get("phase") == "Running"
        and (node is None or p["spec"].get("nodeName") == node)
    ]


def server_memory(samples, runs, node, target_cg, settle):
    """Server mode's rows (issue 14's goals): the node agent on NODE idle and during a session, the
    target during it, and each gateway replica; server mode installed for them, removed after."""
    server_install()
    try:
        (agent,) = server_pods("lambda-cntr-node-agent", node)
        agent_cg = cgroup_dir(container_id(agent, "node-agent"))
        gateways = [
            cgroup_dir(container_id(p, "gateway")) for p in server_pods("lambda-cntr-gateway")
        ]
        shell_session(lc_attach("target", "mount", mode="server"))  # first session: class loading
        for i in range(runs):
            time.sleep(settle)
            samples["node agent (server mode), idle"].append(memory(agent_cg))
            samples["target (busybox), idle, server mode"].append(memory(target_cg))
            for g in gateways:
                samples["gateway replica (server mode), idle"].append(memory(g))
            _, s = shell_session(lc_attach("target", "mount", mode="server"), exit_after=False)
            try:
                time.sleep(settle)
                samples["node agent (server mode), mount session"].append(memory(agent_cg))
                samples["target during a server-mode session"].append(memory(target_cg))
            finally:
                s.send("exit\r")
                s.finish()
            idle = samples["node agent (server mode), idle"][-1]["working_set_kib"]
            busy = samples["node agent (server mode), mount session"][-1]["working_set_kib"]
            log(f"server mode sample {i + 1}: node agent idle {idle} KiB, in a session {busy} KiB")
    finally:
        server_uninstall()


def memory_part(runs, node):
    log(f"memory: {runs} sample(s) on {node}")
    pods = ["target"] + [f"mem-{i}" for i in range(runs)]
    create_pods(pods, node)
    target_cg = cgroup_dir(container_id((NS, "target"), "target"))
    samples = {
        k: []
        for k in (
            "target (busybox), idle",
            "agent container, idle",
            "agent pod, idle",
            "agent container, mount session",
            "target during a mount session",
            "agent container, fuse session",
            "target during a fuse session",
            "ephemeral container (kubectl debug)",
            "target of kubectl debug",
            "node agent (server mode), idle",
            "node agent (server mode), mount session",
            "target (busybox), idle, server mode",
            "target during a server-mode session",
            "gateway replica (server mode), idle",
        )
    }
    settle = 2.0
    for i in range(runs):
        # A fresh agent: cold start by a one-off command, then idle.
        lc_cleanup()
        subprocess.run(
            [LC, "execute", "-q", "-n", NS, "target", "--", "true"], check=True, timeout=180
        )
        apod = agent_pod()
        agent_cg = cgroup_dir(container_id(apod, "agent"))
        time.sleep(settle)
        samples["target (busybox), idle"].append(memory(target_cg))
        samples["agent container, idle"].append(memory(agent_cg))
        samples["agent pod, idle"].append(memory(os.path.dirname(agent_cg)))
        for fs in ("mount", "fuse"):
            _, s = shell_session(lc_attach("target", fs), exit_after=False)
            try:
                time.sleep(settle)
                samples[f"agent container, {fs} session"].append(memory(agent_cg))
                samples[f"target during a {fs} session"].append(memory(target_cg))
            finally:
                s.send("exit\r")
                s.finish()
        pod = f"mem-{i}"
        _, s = shell_session(
            kubectl_debug_argv(pod),
            exit_after=False,
            banner=True,
        )
        try:
            time.sleep(settle)
            eph = cgroup_dir(container_id((NS, pod), "debugger", ephemeral=True))
            samples["ephemeral container (kubectl debug)"].append(memory(eph))
            samples["target of kubectl debug"].append(
                memory(cgroup_dir(container_id((NS, pod), "target")))
            )
        finally:
            s.kill()
        log(
            f"sample {i + 1}: "
            + ", ".join(f"{k} {v[-1]['working_set_kib']} KiB" for k, v in samples.items() if v)
        )
    server_memory(samples, runs, node, target_cg, settle)
    return {
        "node": node,
        "runs": runs,
        "samples": samples,
        "method": "cgroup v1 memory controller of each container (memory.usage_in_bytes,"
        " memory.stat total_*), read on the node 2 s after the shell's prompt;"
        " working set = usage - total_inactive_file (the kubelet's and Metrics"
        " Server's figure, the thesis's source)",
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("part", choices=["startup", "memory"])
    parser.add_argument("--runs", type=int)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    runs = args.runs or (
        1
        if args.quick and args.part == "memory"
        else 3
        if args.quick
        else 20
        if args.part == "startup"
        else 5
    )
    # A terminating signal still runs the cleanup below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    node = pick_node()
    started = time.time()
    try:
        if kubectl("get", "namespace", NS, check=False).strip():
            teardown()  # left by a run that was killed hard
        setup(node)
        result = startup(runs, node) if args.part == "startup" else memory_part(runs, node)
    finally:
        teardown()
    result["seconds"] = round(time.time() - started)
    with open(os.path.join(args.out, f"{args.part}.json"), "w") as f:
        json.dump(result, f, indent=1)
    log(f"{args.part}: done in {result['seconds']} s")


if __name__ == "__main__":
    main()
