package dev.lambdacntr.agent.target;

import dev.lambdacntr.sys.Fcntl;

/** The namespace kinds a session joins, with their {@code /proc/PID/ns} names and clone flags. */
public enum Namespace {
  MOUNT("mnt", Fcntl.CLONE_NEWNS),
  UTS("uts", Fcntl.CLONE_NEWUTS),
  IPC("ipc", Fcntl.CLONE_NEWIPC),
  NET("net", Fcntl.CLONE_NEWNET),
  PID("pid", Fcntl.CLONE_NEWPID),
  CGROUP("cgroup", Fcntl.CLONE_NEWCGROUP),
  USER("user", Fcntl.CLONE_NEWUSER),
  TIME("time", Fcntl.CLONE_NEWTIME);

  private final String procName;
  private final int cloneFlag;

  Namespace(String procName, int cloneFlag) {
    this.procName = procName;
    this.cloneFlag = cloneFlag;
  }

  /** The file name under {@code /proc/PID/ns}. */
  public String procName() {
    return procName;
  }

  /** The {@code CLONE_NEW*} flag for {@code setns}. */
  public int cloneFlag() {
    return cloneFlag;
  }
}
