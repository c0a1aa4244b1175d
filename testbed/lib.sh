# Shared settings and helpers of the local test bed; sourced by testbed/* (bash only).
# Every name, address, port and directory the test bed uses is defined here, so that it never
# collides with another engineer's containerd, bridge or ports on the same machine.

TESTBED_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$TESTBED_SRC/.." && pwd)

CACHE=${LAMBDA_CNTR_CACHE:-/var/cache/lambda-cntr}
STATE=${LAMBDA_CNTR_TESTBED:-/var/lib/lambda-cntr-testbed}
# The API server's audit log (JSON lines; testbed/up's policy says what it records).
AUDIT_LOG=$STATE/logs/audit.log

# The Kubernetes release the test bed builds, read from testbed/k8s/go.mod.
K8S_VERSION=$(awk '{ for (i = 1; i < NF; i++) if ($i == "k8s.io/kubernetes" && $(i + 1) ~ /^v/) { print $(i + 1); exit } }' "$TESTBED_SRC/k8s/go.mod")
[ -n "$K8S_VERSION" ] || { echo "testbed: no k8s.io/kubernetes requirement in $TESTBED_SRC/k8s/go.mod" >&2; exit 1; }
K8S_BIN=$CACHE/k8s-$K8S_VERSION/bin

# CoreDNS, built from its Go module with the machine's Go and run as a pod.
COREDNS_VERSION=v1.15.0
COREDNS_BIN=$CACHE/coredns-$COREDNS_VERSION/bin

# The project version tags our images.
PROJECT_VERSION=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$REPO_ROOT/pom.xml")

# Network: the node addresses live on the loopback interface (kubelet refuses 127.0.0.0/8 as a
# node IP, see testbed/README.md), pods get one bridge and one /24 per node, services a /16 of
# their own.
# Every node the test bed knows, with its container runtime: two on containerd, one on Docker
# through cri-dockerd, one on CRI-O. testbed/up starts those in LAMBDA_CNTR_TESTBED_NODES (node names, default
# all; "testbed-node-1 testbed-node-2" is the small bed) and records them in $STATE/nodes-up;
# testbed/down and testbed/leftovers look at every node, whichever ran.
NODES=(testbed-node-1 testbed-node-2 testbed-node-docker testbed-node-crio)
RUNTIMES=(containerd containerd docker cri-o)
NODE_IPS=(10.217.0.1 10.217.0.2 10.217.0.3 10.217.0.4)
POD_SUBNETS=(10.218.1.0/24 10.218.2.0/24 10.218.3.0/24 10.218.4.0/24)
POD_GATEWAYS=(10.218.1.1 10.218.2.1 10.218.3.1 10.218.4.1)
BRIDGES=(lcntr-tb-br1 lcntr-tb-br2 lcntr-tb-br3 lcntr-tb-br4)
CLUSTER_CIDR=10.218.0.0/16
SERVICE_CIDR=10.219.0.0/16
KUBERNETES_SERVICE_IP=10.219.0.1
DNS_SERVICE_IP=10.219.0.10
# testbed/up's refusal of Service addresses kube-proxy has not rewritten
SERVICE_REJECT=(-d "$SERVICE_CIDR" -p tcp -m comment --comment lambda-cntr-testbed -j REJECT --reject-with tcp-reset)
CLUSTER_DOMAIN=cluster.local

# Ports. The API server listens on the first node's address, the rest on 127.0.0.1 or the node's own.
APISERVER_IP=${NODE_IPS[0]}
APISERVER_PORT=16443
ETCD_CLIENT_PORT=12379
ETCD_PEER_PORT=12380
CONTROLLER_MANAGER_PORT=20257
SCHEDULER_PORT=20259
KUBELET_PORT=20250
KUBELET_HEALTHZ_PORTS=(20241 20242 20243 20244)
PROXY_HEALTHZ_PORT=20256
PROXY_METRICS_PORT=20249

# cgroup v1 parent of everything the kubelets run (cgroupfs driver): one subtree per node.
CGROUP_PARENT=lambda-cntr-testbed

KUBECONFIG_ADMIN=$STATE/kubeconfig

# Host paths the components create outside the state directory, deepest first: the kubelet's
# device plugin socket directory and container log links, libcni's result cache, dockerd's plugin
# socket directory, the mount point of skopeo's private cache (images/build import).
HOST_PATHS=(/var/lib/kubelet/device-plugins /var/lib/kubelet /var/log/containers /var/lib/cni/results /var/lib/cni /run/docker/plugins /run/docker /var/lib/containers)

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
die() {
  printf '%s: %s\n' "${0##*/}" "$*" >&2
  exit 1
}

# The CRI servers of the Docker and CRI-O nodes, built from their Go modules by
# testbed/build-runtimes. cri-dockerd 0.4 needs Docker's API 1.42; Debian's Docker 20.10 speaks 1.41.
CRI_DOCKERD_VERSION=v0.3.17
CRI_DOCKERD_BIN=$CACHE/cri-dockerd-$CRI_DOCKERD_VERSION/bin
CRIO_VERSION=v1.34.0
CRIO_BIN=$CACHE/cri-o-$CRIO_VERSION/bin

node_dir() { echo "$STATE/nodes/${NODES[$1]}"; }
containerd_socket() { echo "$(node_dir "$1")/containerd/containerd.sock"; }
# The Docker node's engine: its API socket, its exec root (runc's state is under runtime-runc/).
docker_socket() { echo "$(node_dir "$1")/docker/docker.sock"; }
docker_exec_root() { echo "$(node_dir "$1")/docker/exec"; }
# The CRI-O node's state: its storage root and run root (containers-storage), socket, runc root.
crio_dir() { echo "$(node_dir "$1")/crio"; }
# cri_socket I: the CRI endpoint node I's kubelet talks to.
cri_socket() {
  case ${RUNTIMES[$1]} in
    containerd) containerd_socket "$1" ;;
    docker) echo "$(node_dir "$1")/cri-dockerd.sock" ;;
    cri-o) echo "$(crio_dir "$1")/crio.sock" ;;
  esac
}
# runc_roots I: the runc state roots of node I's runtime (for containers that outlived it).
runc_roots() {
  case ${RUNTIMES[$1]} in
    containerd) echo "$(node_dir "$1")/runc" ;;
    docker) echo "$(docker_exec_root "$1")/runtime-runc/moby" ;;
    cri-o) echo "$(crio_dir "$1")/runc" ;;
  esac
}

# up_node_indices: the indices (into NODES) of the nodes testbed/up started, or is to start.
up_node_indices() {
  local wanted i
  if [ -f "$STATE/nodes-up" ]; then wanted=$(cat "$STATE/nodes-up"); else wanted=${LAMBDA_CNTR_TESTBED_NODES:-${NODES[*]}}; fi
  for i in "${!NODES[@]}"; do
    [[ " $wanted " == *" ${NODES[$i]} "* ]] && echo "$i"
  done
  return 0
}

kubectl_admin() { "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }

# proc_start_time PID: the process's start time in clock ticks since boot (field 22 of stat), so
# that a recorded PID is never mistaken for an unrelated process that reused the number.
proc_start_time() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }'; }

# proc_running PID: the process exists and is not a zombie.
proc_running() {
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $1 }')
  [ -n "$state" ] && [ "$state" != Z ]
}

# pid_alive NAME: the process recorded in $STATE/run/NAME.pid is still the one we started.
pid_alive() {
  local pidfile=$STATE/run/$1.pid pid started
  [ -f "$pidfile" ] || return 1
  read -r pid started <"$pidfile" || true
  [ -n "$pid" ] && [ -n "$started" ] || return 1
  proc_running "$pid" && [ "$(proc_start_time "$pid")" = "$started" ]
}

# start_daemon NAME BINARY ARGS...: starts BINARY in its own session with no descriptors but
# stdio, logging to $STATE/logs/NAME.log, and records its PID; does nothing when it already runs.
start_daemon() {
  local name=$1 binary=$2
  shift 2
  if pid_alive "$name"; then
    log "$name runs already (pid $(cut -d' ' -f1 "$STATE/run/$name.pid"))"
    return 0
  fi
  mkdir -p "$STATE/run" "$STATE/logs"
  # Descriptors above 2 are closed first: a caller's lock (flock) held on an inherited descriptor
  # would otherwise stay held as long as the daemon runs.
  (
    for fd in /proc/"$BASHPID"/fd/*; do
      fd=${fd##*/}
      [ "$fd" -le 2 ] || eval "exec $fd>&-" 2>/dev/null || true
    done
    exec setsid "$binary" "$@"
  ) >>"$STATE/logs/$name.log" 2>&1 </dev/null &
  echo "$! $(proc_start_time $!)" >"$STATE/run/$name.pid"
  log "$name started (pid $!)"
}

# stop_daemon NAME [TIMEOUT]: SIGTERM, then SIGKILL after TIMEOUT seconds, by recorded PID only.
stop_daemon() {
  local name=$1 timeout=${2:-20} pid i
  if pid_alive "$name"; then
    read -r pid _ <"$STATE/run/$name.pid"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < timeout * 10; i++)); do
      proc_running "$pid" || break
      sleep 0.1
    done
    if proc_running "$pid"; then
      log "$name (pid $pid) ignored SIGTERM for ${timeout}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while proc_running "$pid"; do sleep 0.1; done
    fi
    log "$name stopped (pid $pid)"
  fi
  rm -f "$STATE/run/$name.pid"
}

# fail_with_log NAME MESSAGE: the readiness failure, with the tail of the component's log.
fail_with_log() {
  local name=$1
  shift
  {
    printf '%s: %s\n' "${0##*/}" "$*"
    printf -- '--- last 40 lines of %s ---\n' "$STATE/logs/$name.log"
    tail -n 40 "$STATE/logs/$name.log" 2>/dev/null || echo "(no log)"
    printf -- '---\n'
  } >&2
  exit 1
}

# wait_for NAME SECONDS COMMAND...: polls COMMAND until it succeeds; on timeout, or when the
# process NAME died, fails with NAME's log tail.
wait_for() {
  local name=$1 seconds=$2 deadline
  shift 2
  deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ -f "$STATE/run/$name.pid" ] && ! pid_alive "$name"; then
      fail_with_log "$name" "$name exited while starting"
    fi
    if ((SECONDS >= deadline)); then
      fail_with_log "$name" "$name not ready after ${seconds}s (waited for: $*)"
    fi
    sleep 0.2
  done
}

# iptables_kube_chains: the KUBE-* chains the kubelets and kube-proxy leave in the host's
# iptables and ip6tables, as "COMMAND TABLE CHAIN" lines. Only the test bed runs a kubelet or
# kube-proxy on this machine (see testbed/README.md), so every KUBE-* chain is the test bed's.
iptables_kube_chains() {
  local cmd table
  for cmd in iptables ip6tables; do
    command -v "$cmd-save" >/dev/null || continue
    "$cmd-save" 2>/dev/null | awk -v cmd="$cmd" '/^\*/ { table = substr($1, 2) } /^:KUBE-/ { print cmd, table, substr($1, 2) }'
  done
}

# testbed_leftovers: prints every trace of the test bed that is still on the machine (processes,
# mounts, network namespaces, links, addresses, iptables chains, cgroups); fails when there is one.
testbed_leftovers() {
  local found=0 pid cmdline hierarchy ip ns ancestors=" " p=$BASHPID
  # This shell and its callers name the state directory in their arguments, and are no leftover.
  while [ -n "$p" ] && [ "$p" -gt 1 ]; do
    ancestors+="$p "
    p=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
  done
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [[ $ancestors == *" $pid "* ]] && continue
    cmdline=$({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null) || continue
    [ -n "$cmdline" ] || continue
    case $cmdline in
      *"$STATE/"* | *"$K8S_BIN/"*)
        echo "process $pid: $cmdline"
        found=1
        ;;
    esac
  done
  while read -r mountpoint; do
    echo "mount: $mountpoint"
    found=1
  done < <(awk -v state="$STATE/" 'index($5, state) == 1 { print $5 }' /proc/self/mountinfo)
  for ns in $(testbed_netns); do
    echo "network namespace: $ns (holds a test bed pod address)"
    found=1
  done
  for link in $(ip -o link show | awk -F': ' '{ print $2 }' | cut -d@ -f1); do
    case $link in
      lcntr-tb-*)
        echo "link: $link"
        found=1
        ;;
    esac
  done
  for link in "${BRIDGES[@]}"; do
    ip link show master "$link" 2>/dev/null | awk -F': ' '/^[0-9]/ { print "link: " $2 " (on '"$link"')" }' | grep . && found=1
  done
  for ip in "${NODE_IPS[@]}"; do
    if ip -4 addr show dev lo | grep -q " $ip/32 "; then
      echo "address: $ip on lo"
      found=1
    fi
  done
  for chain in OUTPUT FORWARD; do
    if iptables -w -C "$chain" "${SERVICE_REJECT[@]}" 2>/dev/null; then
      echo "iptables rule in $chain: ${SERVICE_REJECT[*]}"
      found=1
    fi
  done
  while read -r cmd table chain; do
    echo "$cmd chain: $chain (table $table)"
    found=1
  done < <(iptables_kube_chains)
  # post-mortem sessions hold an exited container's files here (attach-agent's SnapshotHold)
  for hold in /var/lib/lambda-cntr/post-mortem/*; do
    [ -e "$hold" ] || continue
    echo "post-mortem hold: $hold"
    found=1
  done
  for hierarchy in $(awk '$3 == "cgroup" || $3 == "cgroup2" { print $2 }' /proc/self/mounts); do
    if [ -d "$hierarchy/$CGROUP_PARENT" ]; then
      echo "cgroup: $hierarchy/$CGROUP_PARENT"
      found=1
    fi
  done
  return "$found"
}

# testbed_netns: the names under /run/netns of network namespaces holding an address of the
# test bed's pod subnets (normally containerd removes them with their pod).
testbed_netns() {
  local ns prefixes
  prefixes=$(printf '%s\n' "${POD_SUBNETS[@]}" | sed 's|\.0/24$|.|' | paste -sd'|')
  for ns in $(ls /run/netns 2>/dev/null); do
    ip -n "$ns" -4 -o addr show 2>/dev/null | grep -qE "inet ($prefixes)" && echo "$ns"
  done
  return 0
}

# write_if_changed FILE: writes stdin to FILE only when the content differs, so that a running
# component watching its configuration (kube-proxy exits when its file is written) is left alone.
write_if_changed() {
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; fi
}
