package dev.lambdacntr.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.protocol.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The refusals of {@code debug --debugpy}'s session script, run here by {@code sh} against real
 * processes of this machine, with a stand-in gdb on PATH that behaves like one that cannot call
 * functions (as Debian 12's gdb on CPUs with AMX state), so that the refusal path is tested on
 * every CPU. The stand-in logs its arguments: the target's PID must never be among them. That the
 * real gdb's dry run passes and the injection works is the end-to-end suite's part
 * (RemoteDebuggerIT).
 */
class DebugpyScriptTest {

  @TempDir Path dir;
  final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopProcesses() {
    started.forEach(Process::destroyForcibly);
  }

  private Process start(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    started.add(p);
    return p;
  }

  /** A stand-in gdb: logs its arguments, then runs BODY (sh) with them. */
  private Path fakeGdb(String body) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path gdb = bin.resolve("gdb");
    Files.writeString(
        gdb,
        "#!/bin/sh\n"
            + "echo \"$*\" >>"
            + dir.resolve("gdb.log")
            + "\n"
            + "[ \"$1\" = --version ] && { echo 'GNU gdb (stand-in) 13.1'; exit 0; }\n"
            + body
            + "\n");
    Files.setPosixFilePermissions(gdb, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  private String gdbLog() throws IOException {
    Path log = dir.resolve("gdb.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  record Run(int exit, String output) {}

  private Run runScript(Path bin, long targetPid) throws Exception {
    List<String> command = new ArrayList<>(DebugpyScript.command("127.0.0.1:5678", 1));
    command.set(5, Long.toString(targetPid));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("PATH", bin + ":/usr/bin:/bin");
    Process p = builder.start();
    started.add(p);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the script ended").isTrue();
    return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), UTF_8));
  }

  private Process pythonTarget() throws Exception {
    Process target =
        start("/usr/bin/python3", "-c", "import time; print('up', flush=True); time.sleep(600)");
    assertThat(new String(target.getInputStream().readNBytes(3), UTF_8)).isEqualTo("up\n");
    return target;
  }

  @Test
  void theCommandCarriesTheScriptAndTheRefusalStatus() {
    List<String> command = DebugpyScript.command("127.0.0.1:5678", 7);
    assertThat(command.subList(0, 2)).containsExactly("sh", "-c");
    assertThat(command.get(2)).contains("-m debugpy --listen").doesNotContain("\n#");
    assertThat(command.subList(3, 7))
        .containsExactly(
            "lambda-cntr-debugpy",
            "127.0.0.1:5678",
            "7",
            Integer.toString(ExitCode.DEBUGGER_REFUSED.code()));
  }

  @Test
  void aProcessThatIsNotPythonIsRefusedBeforeGdbRuns() throws Exception {
    Process target = start("sleep", "600");
    Path bin = fakeGdb("exit 0");

    Run run = runScript(bin, target.pid());

    assertThat(run.exit()).as(run.output()).isEqualTo(80);
    assertThat(run.output())
        .contains("process " + target.pid() + " (")
        .contains("is not a Python interpreter")
        .contains("process " + target.pid() + " was not touched");
    assertThat(gdbLog()).as("gdb was never run").isEmpty();
    assertThat(target.isAlive()).isTrue();
  }

  @Test
  void aGdbThatCannotCallFunctionsIsRefusedAndTheTargetIsNotTouched() throws Exception {
    Process target = pythonTarget();
    // what Debian 12's gdb prints on a CPU whose XSAVE state includes AMX
    Path bin =
        fakeGdb(
            "echo \"Couldn't write extended state status: Bad address.\"; echo 'No symbol table is"
                + " loaded.'; exit 1");

    Run run = runScript(bin, target.pid());

    assertThat(run.exit()).as(run.output()).isEqualTo(80);
    assertThat(run.output())
        .contains("GNU gdb (stand-in) 13.1")
        .contains("cannot call a function in a stopped process on this machine")
        .contains("Couldn't write extended state status: Bad address.")
        .contains("process " + target.pid() + " was not touched");
    List<String> dryRuns = gdbLog().lines().filter(l -> !l.equals("--version")).toList();
    assertThat(dryRuns).as("one dry run, in a helper").hasSize(1);
    assertThat(dryRuns.get(0))
        .contains("-p ")
        .doesNotContain("-p " + target.pid() + " ")
        .contains("call (int)getpid()");
    assertThat(target.isAlive()).isTrue();
  }

  @Test
  void aDryRunThatKillsItsHelperIsRefused() throws Exception {
    Process target = pythonTarget();
    // answers like a working gdb, but the helper does not survive the call
    Path bin =
        fakeGdb(
            "while [ $# -gt 0 ]; do [ \"$1\" = -p ] && pid=$2; shift; done; kill -9 $pid;"
                + " echo \"\\$1 = $pid\"");

    Run run = runScript(bin, target.pid());

    assertThat(run.exit()).as(run.output()).isEqualTo(80);
    assertThat(run.output())
        .contains("the helper process died")
        .contains("process " + target.pid() + " was not touched");
    assertThat(target.isAlive()).isTrue();
  }
}
