package dev.lambdacntr.cli.copy;

import dev.lambdacntr.cli.CliContext;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One {@code lambda-cntr cp}: which pod, which command its session runs, what the session reads and
 * writes, and the local half that runs beside it (an {@link ArchivePacker} feeding the session's
 * stdin, or an {@link ArchiveExtractor} reading its stdout).
 */
public final class CopyTransfer implements AutoCloseable {

  private final CopyOperand.Remote remote;
  private final List<String> command;
  private final Local local;
  private final TransferMeter meter;

  /** The local half: what the session's stdin and stdout are, and how it ends. */
  private interface Local extends AutoCloseable {
    InputStream stdin(CliContext context);

    OutputStream stdout(CliContext context);

    /** Called after the session ended with {@code status}; returns the status to exit with. */
    int finish(int status);

    @Override
    void close();
  }

  private CopyTransfer(
      CopyOperand.Remote remote, List<String> command, Local local, TransferMeter meter) {
    this.remote = remote;
    this.command = List.copyOf(command);
    this.local = local;
    this.meter = meter;
  }

  /**
   * Plans the copy of {@code sourceArgument} to {@code destinationArgument}, checks the local side,
   * and starts the local half.
   */
  public static CopyTransfer start(
      String sourceArgument, String destinationArgument, CliContext context, boolean quiet) {
    CopyOperand source = CopyOperand.parse(sourceArgument);
    CopyOperand destination = CopyOperand.parse(destinationArgument);
    // a tar stream passes through uncounted: no progress to show
    boolean stream =
        source instanceof CopyOperand.Stream || destination instanceof CopyOperand.Stream;
    TransferMeter meter = TransferMeter.start(context.stderr(), quiet || stream);
    java.util.function.Consumer<String> warn = m -> context.stderr().println("cp: warning: " + m);
    try {
      return switch (source) {
        case CopyOperand.Remote from ->
            switch (destination) {
              case CopyOperand.Remote ignored -> throw bothRemote();
              case CopyOperand.Stream ignored ->
                  new CopyTransfer(
                      from, RemoteTar.read(from.path()), new Passthrough(false), meter);
              case CopyOperand.Local to ->
                  new CopyTransfer(
                      from,
                      RemoteTar.read(from.path()),
                      Download.start(
                          downloadTarget(from.path(), to.path()), from.path(), warn, meter),
                      meter);
            };
        case CopyOperand.Local from ->
            switch (destination) {
              case CopyOperand.Remote to ->
                  new CopyTransfer(
                      to,
                      RemoteTar.write(to.path(), topName(from.path())),
                      Upload.start(readable(from.path()), topName(from.path()), warn, meter),
                      meter);
              default -> throw noneRemote();
            };
        case CopyOperand.Stream ignored ->
            switch (destination) {
              case CopyOperand.Remote to ->
                  new CopyTransfer(
                      to, RemoteTar.extractInto(to.path()), new Passthrough(true), meter);
              default -> throw noneRemote();
            };
      };
    } catch (RuntimeException e) {
      meter.close();
      throw e;
    }
  }

  public String pod() {
    return remote.pod();
  }

  public Optional<String> container() {
    return remote.container();
  }

  /** The command the session runs. */
  public List<String> command() {
    return command;
  }

  /** The context the session runs with: the local half as its stdin and stdout. */
  public CliContext sessionContext(CliContext context) {
    return new CliContext(
        context.env(),
        local.stdin(context),
        local.stdout(context),
        context.stderr(),
        () -> false,
        () -> false,
        context.startNanos());
  }

  /** Ends the local half after the session returned {@code status}; returns the exit status. */
  public int finish(int status) {
    int result = local.finish(status);
    meter.close(result == 0);
    return result;
  }

  @Override
  public void close() {
    local.close();
    meter.close();
  }

  private static CntrException bothRemote() {
    return new CntrException(
        ExitCode.USAGE,
        "cp copies between this machine and one container; copy between two pods through a local"
            + " directory");
  }

  private static CntrException noneRemote() {
    return new CntrException(
        ExitCode.USAGE,
        "cp needs one container path, POD[:CONTAINER]:PATH, as source or destination");
  }

  /** A local source's name as the archive's top entry. */
  private static String topName(Path source) {
    Path name = source.toAbsolutePath().normalize().getFileName();
    if (name == null) {
      throw new CntrException(
          ExitCode.USAGE,
          "cp: copying this machine's / is not supported; name a directory below it");
    }
    return name.toString();
  }

  private static Path readable(Path source) {
    if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
      throw new CntrException(
          ExitCode.LOCAL_PATH,
          "cp: cannot read " + source + ": no such file or directory (ENOENT)");
    }
    return source;
  }

  /**
   * Where a download goes: into an existing local directory under the source's name, else to the
   * path itself, whose directory must exist.
   */
  private static Path downloadTarget(TargetPath source, Path local) {
    if (Files.isDirectory(local)) {
      return source.isRoot() ? local : local.resolve(source.name());
    }
    Path parent = local.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new CntrException(
          ExitCode.LOCAL_PATH,
          "cp: cannot write " + local + ": its directory " + parent + " does not exist (ENOENT)");
    }
    return local;
  }

  private static boolean sessionGone(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SessionInput.Gone) {
        return true;
      }
    }
    return false;
  }

  /** {@code -}: the user's tar stream goes to or comes from the session as it is. */
  private record Passthrough(boolean upload) implements Local {
    @Override
    public InputStream stdin(CliContext context) {
      return upload ? context.stdin() : InputStream.nullInputStream();
    }

    @Override
    public OutputStream stdout(CliContext context) {
      return context.stdout();
    }

    @Override
    public int finish(int status) {
      return status;
    }

    @Override
    public void close() {}
  }

  /** The session's tar stream, written below a local path as it arrives. */
  private static final class Download implements Local {
    private final Pipe pipe;
    private final Thread extracting;
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    private Download(Pipe pipe, ArchiveExtractor extractor) {
      this.pipe = pipe;
      this.extracting =
          Thread.ofPlatform()
              .name("cp-extract")
              .daemon()
              .start(
                  () -> {
                    InputStream in = Channels.newInputStream(pipe.source());
                    try {
                      extractor.extract(in);
                    } catch (RuntimeException e) {
                      failure.set(e);
                    }
                    // whatever is left is read and dropped, so that the session can end
                    try {
                      in.transferTo(OutputStream.nullOutputStream());
                    } catch (IOException ignored) {
                      // the session ended
                    }
                  });
    }

    static Download start(
        Path destination,
        TargetPath source,
        java.util.function.Consumer<String> warn,
        TransferMeter meter) {
      try {
        return new Download(
            Pipe.open(), new ArchiveExtractor(destination, source.name(), warn, meter));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public InputStream stdin(CliContext context) {
      return InputStream.nullInputStream();
    }

    @Override
    public OutputStream stdout(CliContext context) {
      return Channels.newOutputStream(pipe.sink());
    }

    @Override
    public int finish(int status) {
      close();
      try {
        extracting.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      RuntimeException failed = failure.get();
      if (status == 0 && failed != null) {
        throw failed;
      }
      return status;
    }

    @Override
    public void close() {
      try {
        pipe.sink().close();
      } catch (IOException ignored) {
        // closed already
      }
    }
  }

  /** A local file or tree, packed into the session's stdin as the session reads it. */
  private static final class Upload implements Local {
    private final Pipe pipe;
    private final Thread packing;
    private final AtomicReference<CntrException> failure = new AtomicReference<>();

    private Upload(Pipe pipe, Path source, String top, ArchivePacker packer) {
      this.pipe = pipe;
      this.packing =
          Thread.ofPlatform()
              .name("cp-pack")
              .daemon()
              .start(
                  () -> {
                    try (OutputStream out =
                        new SessionInput(Channels.newOutputStream(pipe.sink()))) {
                      packer.pack(source, top, out);
                    } catch (CntrException e) {
                      failure.set(e);
                    } catch (IOException e) {
                      // the session stopped reading: its status says why
                    }
                  });
    }

    static Upload start(
        Path source, String top, java.util.function.Consumer<String> warn, TransferMeter meter) {
      try {
        return new Upload(Pipe.open(), source, top, new ArchivePacker(warn, meter));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public InputStream stdin(CliContext context) {
      return Channels.newInputStream(pipe.source());
    }

    @Override
    public OutputStream stdout(CliContext context) {
      return context.stdout();
    }

    @Override
    public int finish(int status) {
      close();
      try {
        packing.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      CntrException failed = failure.get();
      if (failed != null && !sessionGone(failed)) {
        throw failed;
      }
      return status;
    }

    @Override
    public void close() {
      try {
        pipe.source().close();
      } catch (IOException ignored) {
        // closed already
      }
    }
  }
}
