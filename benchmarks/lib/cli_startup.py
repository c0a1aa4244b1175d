"""The offline part of `benchmarks/run startup`: the CLI's own start-up, without a cluster.

    python3 benchmarks/lib/cli_startup.py [--runs N] [--baseline DIST] [--out DIR]

Cases, interleaved round by round (the order rotating), after one untimed round:
  - `java -version` with the launcher's flags (the JVM's floor) and `kubectl version --client`
    (the baseline) against `lambda-cntr --version`: spawn to exit;
  - the fixed cost of a session before the network: spawn to the first API request of
    `lambda-cntr execute demo -- true` against `kubectl get pod demo` (the baseline), both given a
    kubeconfig for a dummy HTTPS listener on 127.0.0.1 in this process (a self-signed certificate,
    a bearer token). The time is taken when the listener has read the request's header, after the
    TCP connection and the TLS handshake; the client is killed then (the listener answers
    nothing). kubectl's first request is its discovery (`GET /api`), the CLI's its pod read;
  - the JVM's floor for that request: benchmarks/cli/JdkFirstRequest.java, the JDK's HTTP client
    alone (trust the CA, a bearer token, GET the pod), with an AOT cache trained on it here and
    the launcher's JVM flags: what any Java CLI pays before its first request.
With --baseline DIST (another build's cli/target/dist) its `--version` and `execute` run in the
same rounds: before and after in one run. Writes DIR/cli-startup.json and prints the table, and
the same table of the runs' CPU time (user + system, from wait4; to the kill for the request
cases), which the machine's load disturbs less than the wall-clock time.
"""

import argparse
import json
import os
import queue
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

from startup_table import table

CACHE = os.environ.get("LAMBDA_CNTR_CACHE", "/var/cache/lambda-cntr")
KUBECTL = os.environ.get("KUBECTL", f"{CACHE}/k8s-v1.34.4/bin/kubectl")
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LC_DIST = os.environ.get("LAMBDA_CNTR_DIST") or f"{REPO}/cli/target/dist"
JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData"]


def java():
    for name in sorted(os.listdir("/usr/lib/jvm")):
        if "25" in name and os.access(f"/usr/lib/jvm/{name}/bin/java", os.X_OK):
            return f"/usr/lib/jvm/{name}/bin/java"
    return shutil.which("java")


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Listener:
    """HTTPS on 127.0.0.1: puts (monotonic ns, request line) on a queue for every request header
    read; never answers."""

    def __init__(self, work):
        cert, key = f"{work}/server.crt", f"{work}/server.key"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            check=True, capture_output=True,
        )  # fmt: skip
        self.cert = cert
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)
        self.context.set_alpn_protocols(["http/1.1"])
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.requests = queue.Queue()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            conn, _ = self.sock.accept()
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            with self.context.wrap_socket(conn, server_side=True) as tls:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = tls.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                self.requests.put((time.monotonic_ns(), data.split(b"\r\n", 1)[0].decode()))
                tls.recv(1)  # held open until the client is killed
        except (OSError, ssl.SSLError):
            pass

    def kubeconfig(self, path):
        with open(self.cert, "rb") as f:
            import base64

            ca = base64.b64encode(f.read()).decode()
        with open(path, "w") as f:
            f.write(
                f"""apiVersion: v1
kind: Config
clusters:
- name: dummy
  cluster:
    server: https://127.0.0.1:{self.port}
    certificate-authority-data: {ca}
users:
- name: dummy
  user:
    token: dummy-token
contexts:
- name: dummy
  context: {{cluster: dummy, user: dummy, namespace: default}}
current-context: dummy
"""
            )


def reap(p):
    """Waits for P; returns its exit status and its CPU time (user + system) in ms."""
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, (usage.ru_utime + usage.ru_stime) * 1000


def run_to_exit(argv, env):
    start = time.monotonic_ns()
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)  # fmt: skip
    status, cpu = reap(p)
    ms = (time.monotonic_ns() - start) / 1e6
    if status != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit status {status}")
    return ms, cpu


def run_to_first_request(argv, env, listener):
    """Milliseconds to the first request, its request line, and the CPU time the client used up
    to its kill right after that request (the launcher execs the JVM: one process)."""
    while not listener.requests.empty():
        listener.requests.get_nowait()
    start = time.monotonic_ns()
    p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        at, line = listener.requests.get(timeout=60)
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        _, cpu = reap(p)
    return (at - start) / 1e6, line, cpu


def jdk_first_request(work, listener):
    """The floor case's command line: JdkFirstRequest compiled into a jar in WORK (an AOT cache
    takes jars only), its AOT cache trained by one run that gives up on the silent listener."""
    jdk = os.path.dirname(java())
    source = os.path.join(REPO, "benchmarks", "cli", "JdkFirstRequest.java")
    classes, jar = f"{work}/floor-classes", f"{work}/floor.jar"
    subprocess.run([f"{jdk}/javac", "-d", classes, source], check=True, capture_output=True)
    subprocess.run([f"{jdk}/jar", "cf", jar, "-C", classes, "."], check=True, capture_output=True)
    url = f"https://127.0.0.1:{listener.port}/api/v1/namespaces/default/pods/demo"
    argv = [java(), *JVM_FLAGS, "-cp", jar]
    subprocess.run([*argv, f"-XX:AOTCacheOutput={work}/floor.aot", "JdkFirstRequest",
                    listener.cert, url, "2000"], check=True, capture_output=True)  # fmt: skip
    return [*argv, f"-XX:AOTCache={work}/floor.aot", "JdkFirstRequest", listener.cert, url, "60000"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--baseline", help="another build's cli/target/dist, measured alongside")
    parser.add_argument("--out")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="lambda-cntr-cli-startup-")
    try:
        listener = Listener(work)
        kubeconfig = f"{work}/kubeconfig"
        listener.kubeconfig(kubeconfig)
        env = dict(os.environ, KUBECONFIG=kubeconfig, HOME=work, LAMBDA_CNTR_STANDBY="off")
        env.pop("LAMBDA_CNTR_JAVA_OPTS", None)
        exit_cases = {
            "java -version (launcher's JVM flags)": [java(), *JVM_FLAGS, "-version"],
            "kubectl version --client": [KUBECTL, "version", "--client"],
            "lambda-cntr --version": [f"{LC_DIST}/bin/lambda-cntr", "--version"],
        }
        request_cases = {
            "kubectl get pod: to 1st API request": [
                KUBECTL, "get", "pod", "demo", f"--cache-dir={work}/kube-cache"],
            "lambda-cntr execute: to 1st API request": [
                f"{LC_DIST}/bin/lambda-cntr", "execute", "demo", "--", "true"],
            "JDK HttpClient alone, AOT (the JVM's floor): to 1st API request":
                jdk_first_request(work, listener),
        }  # fmt: skip
        if args.baseline:
            exit_cases["lambda-cntr --version, baseline build"] = [
                f"{args.baseline}/bin/lambda-cntr",
                "--version",
            ]
            request_cases["lambda-cntr execute: to 1st API request, baseline build"] = [
                f"{args.baseline}/bin/lambda-cntr", "execute", "demo", "--", "true"]  # fmt: skip
        samples = {k: [] for k in [*exit_cases, *request_cases]}
        cpu = {k: [] for k in samples}
        first_requests = {}
        cases = list(samples)
        for i in range(-1, args.runs):  # round -1: untimed (page cache, the listener's first TLS)
            shift = max(i, 0) % len(cases)
            for case in cases[shift:] + cases[:shift]:
                if case in exit_cases:
                    ms, cpu_ms = run_to_exit(exit_cases[case], env)
                else:
                    ms, line, cpu_ms = run_to_first_request(request_cases[case], env, listener)
                    first_requests[case] = line
                if i >= 0:
                    samples[case].append(round(ms, 1))
                    cpu[case].append(round(cpu_ms, 1))
            if i >= 0:
                log(
                    f"round {i + 1}/{args.runs}: "
                    + ", ".join(f"{v[-1]:.0f}" for v in samples.values())
                )
        baselines = {k: "kubectl version --client" for k in exit_cases}
        baselines["java -version (launcher's JVM flags)"] = "kubectl version --client"
        baselines.update({k: "kubectl get pod: to 1st API request" for k in request_cases})
        result = {
            "runs": args.runs,
            "samples": samples,
            "cpu_ms": cpu,
            "baselines": baselines,
            "first_requests": first_requests,
            "load_average": list(os.getloadavg()),
            "method": "spawn to exit, or spawn to the first API request's header read by a dummy"
            " HTTPS listener on 127.0.0.1 (after connect and TLS handshake); cases interleaved,"
            " rotating, after one untimed round",
        }
        if args.out:
            with open(os.path.join(args.out, "cli-startup.json"), "w") as f:
                json.dump(result, f, indent=1)
        print("\n".join(table(samples, baselines)))
        print(
            "\nCPU time (user + system) of the same runs, less sensitive to the machine's load:\n"
        )
        print("\n".join(table(cpu, baselines)))
        print(f"\nfirst requests: {first_requests}; load average at the end {os.getloadavg()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
