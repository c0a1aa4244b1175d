package dev.lambdacntr.cntrfs.sys;

/** The errno values cntrfs names in replies and messages (Linux, x86_64). */
public final class Errno {
  private Errno() {}

  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int EINTR = 4;
  public static final int EIO = 5;
  public static final int EBADF = 9;
  public static final int EAGAIN = 11;
  public static final int ENOMEM = 12;
  public static final int EACCES = 13;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int EXDEV = 18;
  public static final int ENODEV = 19;
  public static final int ENOTDIR = 20;
  public static final int EISDIR = 21;
  public static final int EINVAL = 22;
  public static final int ENFILE = 23;
  public static final int EMFILE = 24;
  public static final int ENOSPC = 28;
  public static final int ERANGE = 34;
  public static final int ENOSYS = 38;
  public static final int ENOTEMPTY = 39;
  public static final int ELOOP = 40;
  public static final int ENODATA = 61;
  public static final int EPROTO = 71;
  public static final int EOPNOTSUPP = 95;
  public static final int ECONNABORTED = 103;
  public static final int ENOTCONN = 107;
  public static final int ESTALE = 116;

  private static final String[] NAMES = new String[134];

  static {
    String[] pairs = {
      "1 EPERM",
      "2 ENOENT",
      "3 ESRCH",
      "4 EINTR",
      "5 EIO",
      "6 ENXIO",
      "7 E2BIG",
      "8 ENOEXEC",
      "9 EBADF",
      "10 ECHILD",
      "11 EAGAIN",
      "12 ENOMEM",
      "13 EACCES",
      "14 EFAULT",
      "16 EBUSY",
      "17 EEXIST",
      "18 EXDEV",
      "19 ENODEV",
      "20 ENOTDIR",
      "21 EISDIR",
      "22 EINVAL",
      "23 ENFILE",
      "24 EMFILE",
      "25 ENOTTY",
      "26 ETXTBSY",
      "27 EFBIG",
      "28 ENOSPC",
      "29 ESPIPE",
      "30 EROFS",
      "31 EMLINK",
      "32 EPIPE",
      "34 ERANGE",
      "36 ENAMETOOLONG",
      "38 ENOSYS",
      "39 ENOTEMPTY",
      "40 ELOOP",
      "61 ENODATA",
      "71 EPROTO",
      "75 EOVERFLOW",
      "95 EOPNOTSUPP",
      "103 ECONNABORTED",
      "107 ENOTCONN",
      "110 ETIMEDOUT",
      "116 ESTALE",
      "122 EDQUOT"
    };
    for (String pair : pairs) {
      int space = pair.indexOf(' ');
      NAMES[Integer.parseInt(pair.substring(0, space))] = pair.substring(space + 1);
    }
  }

  /** The symbolic name, such as {@code ENOENT}, or {@code errno N} for one without a name here. */
  public static String name(int errno) {
    int e = Math.abs(errno);
    String name = e < NAMES.length ? NAMES[e] : null;
    return name != null ? name : "errno " + e;
  }
}
