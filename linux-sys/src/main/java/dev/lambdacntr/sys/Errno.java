package dev.lambdacntr.sys;

/**
 * Linux errno values (x86_64) and their symbolic names, for messages such as {@code cannot enter
 * the mount namespace of pid 42: EPERM} and cntrfs's replies. One table for the whole JVM: the
 * agent and the cntrfs it embeds name an errno the same way. Number 95 is named {@code EOPNOTSUPP}
 * (the kernel's name; {@code ENOTSUP} is the same number).
 */
public final class Errno {
  private Errno() {}

  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int ESRCH = 3;
  public static final int EINTR = 4;
  public static final int EIO = 5;
  public static final int EBADF = 9;
  public static final int ECHILD = 10;
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

  private static final String[] NAMES = new String[133];

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
      "15 ENOTBLK",
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
      "33 EDOM",
      "34 ERANGE",
      "35 EDEADLOCK",
      "36 ENAMETOOLONG",
      "37 ENOLCK",
      "38 ENOSYS",
      "39 ENOTEMPTY",
      "40 ELOOP",
      "42 ENOMSG",
      "43 EIDRM",
      "44 ECHRNG",
      "45 EL2NSYNC",
      "46 EL3HLT",
      "47 EL3RST",
      "48 ELNRNG",
      "49 EUNATCH",
      "50 ENOCSI",
      "51 EL2HLT",
      "52 EBADE",
      "53 EBADR",
      "54 EXFULL",
      "55 ENOANO",
      "56 EBADRQC",
      "57 EBADSLT",
      "59 EBFONT",
      "60 ENOSTR",
      "61 ENODATA",
      "62 ETIME",
      "63 ENOSR",
      "64 ENONET",
      "65 ENOPKG",
      "66 EREMOTE",
      "67 ENOLINK",
      "68 EADV",
      "69 ESRMNT",
      "70 ECOMM",
      "71 EPROTO",
      "72 EMULTIHOP",
      "73 EDOTDOT",
      "74 EBADMSG",
      "75 EOVERFLOW",
      "76 ENOTUNIQ",
      "77 EBADFD",
      "78 EREMCHG",
      "79 ELIBACC",
      "80 ELIBBAD",
      "81 ELIBSCN",
      "82 ELIBMAX",
      "83 ELIBEXEC",
      "84 EILSEQ",
      "85 ERESTART",
      "86 ESTRPIPE",
      "87 EUSERS",
      "88 ENOTSOCK",
      "89 EDESTADDRREQ",
      "90 EMSGSIZE",
      "91 EPROTOTYPE",
      "92 ENOPROTOOPT",
      "93 EPROTONOSUPPORT",
      "94 ESOCKTNOSUPPORT",
      "95 EOPNOTSUPP",
      "96 EPFNOSUPPORT",
      "97 EAFNOSUPPORT",
      "98 EADDRINUSE",
      "99 EADDRNOTAVAIL",
      "100 ENETDOWN",
      "101 ENETUNREACH",
      "102 ENETRESET",
      "103 ECONNABORTED",
      "104 ECONNRESET",
      "105 ENOBUFS",
      "106 EISCONN",
      "107 ENOTCONN",
      "108 ESHUTDOWN",
      "109 ETOOMANYREFS",
      "110 ETIMEDOUT",
      "111 ECONNREFUSED",
      "112 EHOSTDOWN",
      "113 EHOSTUNREACH",
      "114 EALREADY",
      "115 EINPROGRESS",
      "116 ESTALE",
      "117 EUCLEAN",
      "118 ENOTNAM",
      "119 ENAVAIL",
      "120 EISNAM",
      "121 EREMOTEIO",
      "122 EDQUOT",
      "123 ENOMEDIUM",
      "124 EMEDIUMTYPE",
      "125 ECANCELED",
      "126 ENOKEY",
      "127 EKEYEXPIRED",
      "128 EKEYREVOKED",
      "129 EKEYREJECTED",
      "130 EOWNERDEAD",
      "131 ENOTRECOVERABLE",
      "132 ERFKILL"
    };
    for (String pair : pairs) {
      int space = pair.indexOf(' ');
      NAMES[Integer.parseInt(pair.substring(0, space))] = pair.substring(space + 1);
    }
  }

  /**
   * The symbolic name, such as {@code ENOENT}, or {@code errno N} for a number without one here. A
   * negated errno (the kernel's way of returning one, and {@link Libc}'s) names the same.
   */
  public static String name(int errno) {
    int e = Math.abs(errno);
    String name = e < NAMES.length ? NAMES[e] : null;
    return name != null ? name : "errno " + e;
  }
}
