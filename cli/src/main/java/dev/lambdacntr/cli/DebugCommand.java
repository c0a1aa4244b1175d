package dev.lambdacntr.cli;

import dev.lambdacntr.cli.forward.PortForwarder;
import dev.lambdacntr.cli.forward.PortMapping;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lambda-cntr debug POD [CONTAINER] --gdbserver|--debugpy}: a remote debugger from the debug
 * image attached to the target's process, its port forwarded to this machine, and the exact command
 * to connect printed. The session lasts until Ctrl-C (or, for gdbserver, until the debugger
 * detaches).
 */
@Command(
    name = "debug",
    mixinStandardHelpOptions = true,
    versionProvider = LambdaCntrCommand.VersionProvider.class,
    customSynopsis =
        "lambda-cntr debug [OPTIONS] POD [CONTAINER] (--gdbserver | --debugpy) [--pid PID]",
    description = {
      "Attach a remote debugger from the debug image to the container's process and forward its"
          + " port to this machine: --gdbserver for native programs (gdb, IDEs speaking gdb's"
          + " remote protocol), --debugpy for Python (VS Code, any DAP client).",
      "Prints the command to connect. Ends with Ctrl-C; gdbserver also ends when the debugger"
          + " detaches. debugpy cannot be unloaded from the Python process, but its listener"
          + " stops with the session. --debugpy exits 80, leaving the process as it was, when it"
          + " is not Python or gdb cannot call functions in a process on this machine."
    })
final class DebugCommand extends SessionCommand {

  /** Which debugger. */
  static final class Kind {
    @Option(names = "--gdbserver", description = "gdbserver, for native programs")
    boolean gdbserver;

    @Option(names = "--debugpy", description = "debugpy, for Python programs")
    boolean debugpy;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Kind kind;

  @Parameters(index = "0", paramLabel = "POD", description = "the target pod")
  String pod;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "CONTAINER",
      description = "the container (needed when the pod has several)")
  String container;

  @Option(
      names = "--pid",
      paramLabel = "PID",
      defaultValue = "1",
      description =
          "the process to debug, as the container sees it (default: ${DEFAULT-VALUE}, the"
              + " container's main process)")
  int pid = 1;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description =
          "the debugger's port in the pod (default: 2345 for gdbserver, 5678 for debugpy)")
  Integer port;

  @Option(
      names = "--local-port",
      paramLabel = "PORT",
      description = "the local port (default: the same as --port; 0 for any free one)")
  Integer localPort;

  DebugCommand(CliContext context) {
    super(context);
  }

  @Override
  boolean postMortemServed() {
    return false;
  }

  @Override
  String pod() {
    return pod;
  }

  @Override
  Optional<String> container() {
    return Optional.ofNullable(container);
  }

  private int remotePort() {
    int p = port != null ? port : kind.gdbserver ? 2345 : 5678;
    if (p < 1 || p > 65535) {
      throw new CntrException(ExitCode.USAGE, "--port: ports are 1 to 65535, not " + p);
    }
    return p;
  }

  @Override
  List<String> command() {
    if (pid < 1) {
      throw new CntrException(ExitCode.USAGE, "--pid must be a process ID, not " + pid);
    }
    String listen = "127.0.0.1:" + remotePort();
    if (kind.gdbserver) {
      return List.of("gdbserver", "--attach", listen, Integer.toString(pid));
    }
    return DebugpyScript.command(listen, pid);
  }

  @Override
  List<PortMapping> forwards() {
    int remote = remotePort();
    int local = localPort != null ? localPort : remote;
    if (local < 0 || local > 65535) {
      throw new CntrException(ExitCode.USAGE, "--local-port: ports are 0 to 65535, not " + local);
    }
    List<PortMapping> all = new ArrayList<>();
    all.add(new PortMapping(local, remote));
    all.addAll(super.forwards());
    return all;
  }

  @Option(
      names = "--allow-host-network",
      description =
          "debug a pod that uses the node's network: the debugger's port is then open on the node")
  boolean allowHostNetwork;

  @Override
  void admit(Target target) {
    if (target.hostNetwork() && !allowHostNetwork) {
      throw new CntrException(
          ExitCode.USAGE,
          "pod "
              + target.namespace()
              + "/"
              + target.pod()
              + " uses the node's network: the debugger would listen on the node's 127.0.0.1:"
              + remotePort()
              + ", open to every process of the node; --allow-host-network to debug it anyway");
    }
  }

  /**
   * The debugger reads no input; the session's stdin is held open and empty for as long as this
   * process runs, so that its end tells the session that the CLI is gone, however it ended
   * (debugpy-session.sh stops the debugger's listener then).
   */
  @Override
  CliContext sessionContext() {
    return new CliContext(
        context.env(),
        new HeldOpenInput(),
        context.stdout(),
        context.stderr(),
        context.stdinIsTerminal(),
        context.stdoutIsTerminal(),
        context.startNanos());
  }

  /** An input that has nothing and never ends, until the thread reading it is interrupted. */
  static final class HeldOpenInput extends java.io.InputStream {
    @Override
    public int read() {
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      return read();
    }
  }

  @Override
  boolean wantsTty() {
    return false;
  }

  @Override
  boolean protectsByDefault() {
    return true;
  }

  /**
   * The gdb command line: the target's files are read through {@code /proc/PID/root} in the session
   * (gdbserver's own way into the target's mount namespace needs CAP_SYS_ADMIN).
   */
  String gdbCommand(int local) {
    return "gdb -ex 'set remote hostio-setfs-packet off' -ex 'set sysroot target:/proc/"
        + pid
        + "/root' -ex 'target remote localhost:"
        + local
        + "'";
  }

  @Override
  void listening(List<PortForwarder.Listening> ports, Progress progress) {
    int local = ports.get(0).local();
    if (kind.gdbserver) {
      progress.info("connect with: " + gdbCommand(local));
    } else {
      progress.info(
          "connect with a DAP client to localhost:"
              + local
              + "; VS Code launch.json: {\"name\": \"lambda-cntr "
              + pod
              + "\", \"type\": \"debugpy\", \"request\": \"attach\", \"connect\": {\"host\":"
              + " \"localhost\", \"port\": "
              + local
              + "}, \"pathMappings\": [{\"localRoot\": \"${workspaceFolder}\", \"remoteRoot\":"
              + " \"SOURCE_DIR_IN_CONTAINER\"}]}");
    }
    progress.info("the debugger runs until Ctrl-C");
  }
}
