package dev.lambdacntr.cntrfs;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code cntrfs SOURCE_DIR MOUNTPOINT [-o OPTIONS]}: mounts SOURCE_DIR at MOUNTPOINT and serves it
 * until it is unmounted or the process gets SIGINT or SIGTERM, which unmount it.
 */
public final class Main {
  private Main() {}

  static final String USAGE =
      "usage: cntrfs SOURCE_DIR MOUNTPOINT [-o threads=N,timeout=SECONDS,passthrough=auto|on|off,"
          + "writeback=on|off,max_inodes=N,clone_fd=on|off,debug]";

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    try {
      List<String> positional = new ArrayList<>();
      CntrfsOptions options = CntrfsOptions.defaults();
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "-o" -> {
            if (++i >= args.length) {
              throw new CntrException(ExitCode.USAGE, "option -o needs a value\n" + USAGE);
            }
            options = options.with(args[i]);
          }
          case "-h", "--help" -> {
            System.out.println(USAGE);
            return 0;
          }
          default -> {
            if (args[i].startsWith("-")) {
              throw new CntrException(ExitCode.USAGE, "unknown option '" + args[i] + "'\n" + USAGE);
            }
            positional.add(args[i]);
          }
        }
      }
      if (positional.size() != 2) {
        throw new CntrException(ExitCode.USAGE, "need SOURCE_DIR and MOUNTPOINT\n" + USAGE);
      }
      return serve(Path.of(positional.get(0)), Path.of(positional.get(1)), options);
    } catch (CntrException e) {
      System.err.println("cntrfs: " + e.getMessage());
      return e.exitCode().code();
    }
  }

  private static int serve(Path source, Path mountpoint, CntrfsOptions options) {
    CntrfsMount mount = CntrfsMount.mount(source, mountpoint, options, System.err);
    Thread unmount = Thread.ofPlatform().name("cntrfs-unmount").unstarted(mount::close);
    Runtime.getRuntime().addShutdownHook(unmount);
    System.err.println("cntrfs: serving " + source + " at " + mountpoint);
    try {
      mount.server().awaitExit();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCode.INTERNAL.code();
    }
    System.err.println("cntrfs: " + mountpoint + " " + mount.server().exitReason());
    return 0;
  }
}
