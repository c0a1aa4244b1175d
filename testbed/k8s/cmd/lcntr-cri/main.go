// Command lcntr-cri is the test bed's small CRI client (crictl cannot be fetched here): it lists
// pod sandboxes and containers of one runtime, shows a container's status with its PID, and stops
// and removes every sandbox, which is how testbed/down releases network namespaces, veths and
// cgroups even when the API server is gone. Test infrastructure only.
//
//	lcntr-cri -r unix:///path/containerd.sock pods|ps|inspect ID|pid ID|remove-all
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func main() {
	endpoint := flag.String("r", "", "runtime endpoint, unix:///path/to/socket")
	timeout := flag.Duration("timeout", 2*time.Minute, "overall timeout")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: lcntr-cri -r unix:///SOCKET pods|ps|inspect ID|pid ID|remove-all")
	}
	flag.Parse()
	if *endpoint == "" || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, *endpoint, flag.Args()); err != nil {
		fmt.Fprintf(os.Stderr, "lcntr-cri: %s: %v\n", *endpoint, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, endpoint string, args []string) error {
	if !strings.HasPrefix(endpoint, "unix://") {
		return fmt.Errorf("endpoint must start with unix://")
	}
	conn, err := grpc.NewClient("unix://"+strings.TrimPrefix(endpoint, "unix://"),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	rt := runtimeapi.NewRuntimeServiceClient(conn)

	switch {
	case args[0] == "pods" && len(args) == 1:
		return listPods(ctx, rt)
	case args[0] == "ps" && len(args) == 1:
		return listContainers(ctx, rt)
	case args[0] == "inspect" && len(args) == 2:
		return inspect(ctx, rt, args[1])
	case args[0] == "pid" && len(args) == 2:
		return printPid(ctx, rt, args[1])
	case args[0] == "remove-all" && len(args) == 1:
		return removeAll(ctx, rt)
	}
	return fmt.Errorf("unknown command %q", strings.Join(args, " "))
}

func listPods(ctx context.Context, rt runtimeapi.RuntimeServiceClient) error {
	resp, err := rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		return fmt.Errorf("ListPodSandbox: %w", err)
	}
	for _, p := range resp.Items {
		fmt.Printf("%s\t%s/%s\t%s\n", p.Id, p.Metadata.Namespace, p.Metadata.Name, p.State)
	}
	return nil
}

func listContainers(ctx context.Context, rt runtimeapi.RuntimeServiceClient) error {
	resp, err := rt.ListContainers(ctx, &runtimeapi.ListContainersRequest{})
	if err != nil {
		return fmt.Errorf("ListContainers: %w", err)
	}
	for _, c := range resp.Containers {
		fmt.Printf("%s\t%s\t%s\t%s\n", c.Id, c.PodSandboxId, c.Metadata.Name, c.State)
	}
	return nil
}

func inspect(ctx context.Context, rt runtimeapi.RuntimeServiceClient, id string) error {
	resp, err := rt.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: id, Verbose: true})
	if err != nil {
		return fmt.Errorf("ContainerStatus %s: %w", id, err)
	}
	out := map[string]any{"status": resp.Status}
	if raw, ok := resp.Info["info"]; ok {
		out["info"] = json.RawMessage(raw)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func printPid(ctx context.Context, rt runtimeapi.RuntimeServiceClient, id string) error {
	resp, err := rt.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: id, Verbose: true})
	if err != nil {
		return fmt.Errorf("ContainerStatus %s: %w", id, err)
	}
	var info struct {
		Pid int `json:"pid"`
	}
	if err := json.Unmarshal([]byte(resp.Info["info"]), &info); err != nil || info.Pid == 0 {
		return fmt.Errorf("container %s: no pid in the runtime's verbose status", id)
	}
	fmt.Println(info.Pid)
	return nil
}

// removeAll stops every sandbox (the runtime tears its network down and kills its containers),
// then removes it; errors are collected so that one stuck sandbox does not keep the others.
func removeAll(ctx context.Context, rt runtimeapi.RuntimeServiceClient) error {
	resp, err := rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		return fmt.Errorf("ListPodSandbox: %w", err)
	}
	var failed []string
	for _, p := range resp.Items {
		name := p.Metadata.Namespace + "/" + p.Metadata.Name
		if _, err := rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: p.Id}); err != nil {
			failed = append(failed, fmt.Sprintf("stop sandbox %s (%s): %v", p.Id, name, err))
			continue
		}
		if _, err := rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: p.Id}); err != nil {
			failed = append(failed, fmt.Sprintf("remove sandbox %s (%s): %v", p.Id, name, err))
			continue
		}
		fmt.Printf("removed sandbox %s (%s)\n", p.Id, name)
	}
	if len(failed) > 0 {
		return fmt.Errorf("%s", strings.Join(failed, "; "))
	}
	return nil
}
