package dev.lambdacntr.agent.target;

import dev.lambdacntr.agent.sys.LibC;

/** The namespace kinds a session joins, with their {@code /proc/PID/ns} names and clone flags. */
public enum Namespace {
  MOUNT("mnt", LibC.CLONE_NEWNS),
  UTS("uts", LibC.CLONE_NEWUTS),
  IPC("ipc", LibC.CLONE_NEWIPC),
  NET("net", LibC.CLONE_NEWNET),
  PID("pid", LibC.CLONE_NEWPID),
  CGROUP("cgroup", LibC.CLONE_NEWCGROUP),
  USER("user", LibC.CLONE_NEWUSER),
  TIME("time", LibC.CLONE_NEWTIME);

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
