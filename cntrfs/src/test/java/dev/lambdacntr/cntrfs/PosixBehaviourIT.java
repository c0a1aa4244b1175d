package dev.lambdacntr.cntrfs;

import static dev.lambdacntr.cntrfs.Posix.PosixError;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lambdacntr.sys.Errno;
import dev.lambdacntr.sys.Fcntl;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * POSIX behaviour, asserted twice: on a cntrfs mount and on the native directory. The native run
 * shows that each assertion holds for a real file system, so a cntrfs failure is a cntrfs bug.
 */
class PosixBehaviourIT {
  enum Target {
    NATIVE,
    CNTRFS
  }

  /**
   * For the checks where it matters how file data travels: the native directory, cntrfs with FUSE
   * passthrough (the kernel writes the source file itself) and cntrfs without it (every write is a
   * request to the server).
   */
  enum DataPath {
    NATIVE,
    CNTRFS_PASSTHROUGH,
    CNTRFS_SERVED
  }

  private static TestMount mount;
  private static TestMount served;
  private static Path nativeRoot;
  private static final AtomicInteger COUNTER = new AtomicInteger();

  @BeforeAll
  static void mount() throws IOException {
    mount = TestMount.start("posix", CntrfsOptions.defaults());
    nativeRoot = Files.createDirectory(mount.base.resolve("native"));
    served = TestMount.start("posix-served", CntrfsOptions.defaults().with("passthrough=off"));
  }

  @AfterAll
  static void unmount() {
    if (served != null) {
      served.close();
    }
    if (mount != null) {
      mount.close();
    }
  }

  /** A fresh, empty directory for one test on {@code target}. */
  private static Path dir(Target target) throws IOException {
    return dir(target == Target.NATIVE ? nativeRoot : mount.mountpoint);
  }

  /** A fresh, empty directory for one test on {@code path}; cntrfs's data path is checked. */
  private static Path dir(DataPath path) throws IOException {
    Path dir =
        dir(
            switch (path) {
              case NATIVE -> nativeRoot;
              case CNTRFS_PASSTHROUGH -> mount.mountpoint;
              case CNTRFS_SERVED -> served.mountpoint;
            });
    if (path == DataPath.CNTRFS_PASSTHROUGH) {
      assumeTrue(
          mount.mount.server().passthrough(),
          "the kernel offers no FUSE passthrough (Linux 6.9+ with CAP_SYS_ADMIN)");
    } else if (path == DataPath.CNTRFS_SERVED) {
      assertThat(served.mount.server().passthrough()).isFalse();
    }
    return dir;
  }

  private static Path dir(Path root) throws IOException {
    Path dir = root.resolve("t" + COUNTER.incrementAndGet());
    Files.createDirectory(dir);
    Posix.chmod(dir, 0755);
    return dir;
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void hardLinksAreOneInodeWithTheRightLinkCount(Target target) throws IOException {
    Path d = dir(target);
    Path a = Files.writeString(d.resolve("a"), "one");
    Path b = Files.createLink(d.resolve("b"), a);
    assertThat(Posix.lstat(a).ino()).isEqualTo(Posix.lstat(b).ino());
    assertThat(Posix.lstat(b).nlink()).isEqualTo(2);
    Files.writeString(b, "two");
    assertThat(Files.readString(a)).isEqualTo("two");
    Files.delete(a);
    assertThat(Posix.lstat(b).nlink()).isEqualTo(1);
    assertThat(Files.readString(b)).isEqualTo("two");
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void inodeNumbersAreStableAcrossRenames(Target target) throws IOException {
    Path d = dir(target);
    Path a = Files.writeString(d.resolve("a"), "x");
    long ino = Posix.lstat(a).ino();
    Files.createDirectory(d.resolve("sub"));
    Path moved = Files.move(a, d.resolve("sub/moved"));
    assertThat(Posix.lstat(moved).ino()).isEqualTo(ino);
    assertThat(Posix.lstat(moved).ino()).isEqualTo(ino);
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void anUnlinkedFileStaysUsableWhileOpen(Target target) throws IOException {
    Path d = dir(target);
    Path f = d.resolve("f");
    try (FileChannel ch =
        FileChannel.open(
            f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap("before".getBytes(UTF_8)));
      Files.delete(f);
      assertThat(Files.exists(f)).isFalse();
      ch.write(ByteBuffer.wrap(" after".getBytes(UTF_8)));
      ByteBuffer back = ByteBuffer.allocate(64);
      ch.read(back, 0);
      assertThat(new String(back.array(), 0, back.position(), UTF_8)).isEqualTo("before after");
    }
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void renameReplacesNoreplaceRefusesExchangeSwaps(Target target) throws IOException {
    Path d = dir(target);
    Path a = Files.writeString(d.resolve("a"), "A");
    Path b = Files.writeString(d.resolve("b"), "B");
    assertThatThrownBy(() -> Posix.renameat2(a, b, 1))
        .isInstanceOfSatisfying(PosixError.class, e -> assertThat(e.errno).isEqualTo(Errno.EEXIST));
    Posix.renameat2(a, b, 2);
    assertThat(Files.readString(a)).isEqualTo("B");
    assertThat(Files.readString(b)).isEqualTo("A");
    Posix.renameat2(a, b, 0);
    assertThat(Files.exists(a)).isFalse();
    assertThat(Files.readString(b)).isEqualTo("B");
    Files.createDirectory(d.resolve("x"));
    Files.createDirectory(d.resolve("y"));
    Files.writeString(d.resolve("y/inside"), "in y");
    Posix.renameat2(d.resolve("x"), d.resolve("y"), 2);
    assertThat(Files.readString(d.resolve("x/inside"))).isEqualTo("in y");
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void symlinksPointWithoutBeingFollowedByTheServer(Target target) throws IOException {
    Path d = dir(target);
    Files.writeString(d.resolve("target"), "through the link");
    Path link = Files.createSymbolicLink(d.resolve("link"), Path.of("target"));
    Path dangling = Files.createSymbolicLink(d.resolve("dangling"), Path.of("/nonexistent/x"));
    assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("target"));
    assertThat(Files.readString(link)).isEqualTo("through the link");
    assertThat(Posix.lstat(link).type()).isEqualTo(Fcntl.S_IFLNK);
    assertThat(Posix.lstat(dangling).size()).isEqualTo("/nonexistent/x".length());
    assertThat(Files.exists(dangling)).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void fifosCarryData(Target target) throws Exception {
    Path d = dir(target);
    Path fifo = d.resolve("fifo");
    Posix.mknod(fifo, Fcntl.S_IFIFO | 0644, 0);
    assertThat(Posix.lstat(fifo).type()).isEqualTo(Fcntl.S_IFIFO);
    int rd = Posix.open(fifo, Fcntl.O_RDONLY | Fcntl.O_NONBLOCK, 0);
    int wr = Posix.open(fifo, Fcntl.O_WRONLY, 0);
    Posix.write(wr, "through a fifo".getBytes(UTF_8));
    Posix.close(wr);
    assertThat(new String(Posix.read(rd, 64), UTF_8)).isEqualTo("through a fifo");
    Posix.close(rd);
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void unixSocketsConnect(Target target) throws Exception {
    Path d = dir(target);
    Path socket = d.resolve("sock");
    UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(address);
      assertThat(Posix.lstat(socket).type()).isEqualTo(Fcntl.S_IFSOCK);
      try (SocketChannel client = SocketChannel.open(address);
          SocketChannel accepted = server.accept()) {
        client.write(ByteBuffer.wrap("ping".getBytes(UTF_8)));
        ByteBuffer in = ByteBuffer.allocate(4);
        while (in.hasRemaining()) {
          accepted.read(in);
        }
        assertThat(new String(in.array(), UTF_8)).isEqualTo("ping");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void deviceNodesWorkAsDevices(Target target) throws IOException {
    Path d = dir(target);
    Path nul = d.resolve("null");
    Posix.mknod(nul, Fcntl.S_IFCHR | 0666, Posix.makedev(1, 3));
    Posix.StatResult st = Posix.lstat(nul);
    assertThat(st.type()).isEqualTo(Fcntl.S_IFCHR);
    assertThat(st.rdev()).isEqualTo(Posix.makedev(1, 3));
    Path big = d.resolve("big");
    Posix.mknod(big, Fcntl.S_IFBLK | 0600, Posix.makedev(259, 70000));
    assertThat(Posix.lstat(big).rdev()).isEqualTo(Posix.makedev(259, 70000));
    if (target == Target.CNTRFS) {
      // cntrfs is mounted nodev (as the agent mounts it): device nodes exist but do not open.
      assertThatThrownBy(() -> Files.writeString(nul, "x"))
          .isInstanceOf(java.nio.file.AccessDeniedException.class);
      return;
    }
    Files.writeString(nul, "discarded");
    assertThat(Files.readAllBytes(nul)).isEmpty();
    Path zero = d.resolve("zero");
    Posix.mknod(zero, Fcntl.S_IFCHR | 0666, Posix.makedev(1, 5));
    try (InputStream in = Files.newInputStream(zero)) {
      assertThat(in.readNBytes(16)).containsOnly(0);
    }
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void extendedAttributesRoundTrip(Target target) throws IOException {
    Path d = dir(target);
    Path f = Files.writeString(d.resolve("f"), "x");
    Posix.setxattr(f, "user.colour", "blue".getBytes(UTF_8), 0);
    assertThat(new String(Posix.getxattr(f, "user.colour"), UTF_8)).isEqualTo("blue");
    assertThat(Posix.getxattrSize(f, "user.colour")).isEqualTo(4);
    assertThat(Posix.listxattr(f)).contains("user.colour");
    assertThatThrownBy(() -> Posix.setxattr(f, "user.colour", new byte[] {1}, 1))
        .isInstanceOfSatisfying(PosixError.class, e -> assertThat(e.errno).isEqualTo(Errno.EEXIST));
    Posix.removexattr(f, "user.colour");
    assertThatThrownBy(() -> Posix.getxattr(f, "user.colour"))
        .isInstanceOfSatisfying(
            PosixError.class, e -> assertThat(e.errno).isEqualTo(Errno.ENODATA));
    Path sub = Files.createDirectory(d.resolve("sub"));
    Posix.setxattr(sub, "user.dir", new byte[] {7}, 0);
    assertThat(Posix.getxattr(sub, "user.dir")).containsExactly(7);
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void fallocateTruncateAppendAndTrunc(Target target) throws IOException {
    Path d = dir(target);
    Path f = d.resolve("f");
    int fd = Posix.open(f, Fcntl.O_CREAT | Fcntl.O_RDWR, 0644);
    Posix.fallocate(fd, 0, 0, 1 << 20);
    assertThat(Posix.lstat(f).size()).isEqualTo(1 << 20);
    Posix.fallocate(fd, 1, (1 << 20), 4096); // FALLOC_FL_KEEP_SIZE
    assertThat(Posix.lstat(f).size()).isEqualTo(1 << 20);
    Posix.close(fd);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(10);
    }
    assertThat(Files.size(f)).isEqualTo(10);
    Files.writeString(f, "first", StandardOpenOption.TRUNCATE_EXISTING);
    Files.writeString(f, " second", StandardOpenOption.APPEND);
    int app = Posix.open(f, Fcntl.O_WRONLY | Fcntl.O_APPEND, 0);
    Posix.pwrite(app, " third".getBytes(UTF_8), 0);
    Posix.close(app);
    assertThat(Files.readString(f)).isEqualTo("first second third");
    int trunc = Posix.open(f, Fcntl.O_WRONLY | Fcntl.O_TRUNC, 0);
    Posix.close(trunc);
    assertThat(Files.size(f)).isZero();
    assertThat(Files.readAllBytes(f)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void filesOverFourGibibytes(Target target) throws IOException {
    Path d = dir(target);
    Path f = d.resolve("big");
    long offset = 5L << 30;
    int fd = Posix.open(f, Fcntl.O_CREAT | Fcntl.O_RDWR, 0644);
    Posix.pwrite(fd, "beyond 4 GiB".getBytes(UTF_8), offset);
    Posix.close(fd);
    assertThat(Posix.lstat(f).size()).isEqualTo(offset + 12);
    int rd = Posix.open(f, Fcntl.O_RDONLY, 0);
    assertThat(new String(Posix.pread(rd, 12, offset), UTF_8)).isEqualTo("beyond 4 GiB");
    assertThat(Posix.pread(rd, 4, 1L << 32)).containsOnly(0);
    Posix.close(rd);
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void sharedWritableMappingsReachTheFile(Target target) throws IOException {
    Path d = dir(target);
    Path f = d.resolve("mapped");
    try (FileChannel ch =
        FileChannel.open(
            f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.truncate(8192);
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8192);
      map.put(4096, "mapped write".getBytes(UTF_8));
      map.force();
    }
    byte[] all = Files.readAllBytes(f);
    assertThat(new String(all, 4096, 12, UTF_8)).isEqualTo("mapped write");
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8192);
      ch.write(ByteBuffer.wrap("by write".getBytes(UTF_8)), 100);
      byte[] seen = new byte[8];
      map.get(100, seen);
      assertThat(new String(seen, UTF_8)).isEqualTo("by write");
    }
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void statfsDescribesTheSourceFileSystem(Target target) throws IOException {
    Path d = dir(target);
    var store = Files.getFileStore(d);
    var sourceStore = Files.getFileStore(mount.source);
    assertThat(store.getTotalSpace()).isEqualTo(sourceStore.getTotalSpace());
    assertThat(store.getBlockSize()).isEqualTo(sourceStore.getBlockSize());
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void timestampsKeepNanoseconds(Target target) throws IOException {
    Path d = dir(target);
    Path f = Files.writeString(d.resolve("f"), "x");
    Posix.utimens(f, 1_000_000_000L, 111_222_333L, 1_500_000_000L, 987_654_321L);
    Posix.StatResult st = Posix.lstat(f);
    assertThat(st.mtime()).isEqualTo(1_500_000_000L);
    assertThat(st.mtimeNsec()).isEqualTo(987_654_321L);
    assertThat(st.atime()).isEqualTo(1_000_000_000L);
    assertThat(st.atimeNsec()).isEqualTo(111_222_333L);
    Path link = Files.createSymbolicLink(d.resolve("l"), Path.of("f"));
    Posix.utimens(link, 5, 6, 7, 8);
    assertThat(Posix.lstat(link).mtimeNsec()).isEqualTo(8);
    assertThat(Posix.lstat(f).mtimeNsec()).isEqualTo(987_654_321L);
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void permissionsAreCheckedAsTheCallingUser(Target target) throws Exception {
    Path d = dir(target);
    Path closed = Files.createDirectory(d.resolve("closed"));
    Posix.chmod(closed, 0755);
    Path secret = Files.writeString(d.resolve("secret"), "root only");
    Posix.chmod(secret, 0600);
    Path open = Files.createDirectory(d.resolve("open"));
    Posix.chmod(open, 0777);
    Path group = Files.createDirectory(d.resolve("group"));
    Posix.chown(group, 0, 4242);
    Posix.chmod(group, 0770);
    Path setgid = Files.createDirectory(d.resolve("setgid"));
    Posix.chown(setgid, 0, 4343);
    Posix.chmod(setgid, 02777);

    assertThat(asNobody("", "touch " + closed.resolve("f"))).isNotZero();
    assertThat(Files.exists(closed.resolve("f"))).isFalse();
    assertThat(asNobody("", "cat " + secret)).isNotZero();

    assertThat(asNobody("", "touch " + open.resolve("mine") + " && mkdir " + open.resolve("d")))
        .isZero();
    assertThat(Posix.lstat(open.resolve("mine")).uid()).isEqualTo(65534);
    assertThat(Posix.lstat(open.resolve("mine")).gid()).isEqualTo(65534);
    assertThat(Posix.lstat(open.resolve("d")).uid()).isEqualTo(65534);

    assertThat(asNobody("", "touch " + group.resolve("f"))).isNotZero();
    assertThat(asNobody("4242", "touch " + group.resolve("f") + " && mkdir " + group.resolve("d")))
        .isZero();
    assertThat(Posix.lstat(group.resolve("f")).uid()).isEqualTo(65534);
    assertThat(Posix.lstat(group.resolve("f")).gid()).isEqualTo(65534);

    assertThat(asNobody("", "mkdir " + setgid.resolve("d") + " && touch " + setgid.resolve("f")))
        .isZero();
    assertThat(Posix.lstat(setgid.resolve("f")).gid()).isEqualTo(4343);
    assertThat(Posix.lstat(setgid.resolve("d")).gid()).isEqualTo(4343);
    assertThat(Posix.lstat(setgid.resolve("d")).mode() & 02000).isEqualTo(02000);

    assertThat(asNobody("", "umask 027 && touch " + open.resolve("masked"))).isZero();
    assertThat(Posix.lstat(open.resolve("masked")).mode() & 07777).isEqualTo(0640);
  }

  @ParameterizedTest
  @EnumSource(DataPath.class)
  void aWriteByAnotherUserDropsSetUidAndSetGid(DataPath path) throws Exception {
    Path d = dir(path);
    Path f = Files.writeString(d.resolve("setid"), "original\n");
    Posix.chown(f, 4000, 4000);
    Posix.chmod(f, 06777);
    assertThat(asNobody("", "echo appended >> " + f)).isZero();
    assertThat(Posix.lstat(f).mode() & 07777)
        .as("mode of %s after a write by uid 65534 (owner 4000)", f)
        .isEqualTo(0777);
    assertThat(Files.readString(f)).isEqualTo("original\nappended\n");
  }

  @ParameterizedTest
  @EnumSource(DataPath.class)
  void aSetIdFileOpenForReadingCanBeWrittenAndTheOtherWayRound(DataPath path) throws Exception {
    Path d = dir(path);
    Path f = Files.writeString(d.resolve("shared"), "one\n");
    Posix.chown(f, 4000, 4000);
    Posix.chmod(f, 06777);
    int reader = Posix.open(f, Fcntl.O_RDONLY, 0);
    try {
      assertThat(asNobody("", "echo two >> " + f)).as("write while open for reading").isZero();
      assertThat(new String(Posix.pread(reader, 64, 0), UTF_8)).isEqualTo("one\ntwo\n");
    } finally {
      Posix.close(reader);
    }
    assertThat(Posix.lstat(f).mode() & 07777).as("mode of %s after the write", f).isEqualTo(0777);
    Posix.chmod(f, 06777);
    String readWhileOpenForWriting =
        "exec 3>>" + f + " && cat " + f + " > /dev/null && echo three >&3 && cat " + f;
    assertThat(asNobody("", readWhileOpenForWriting)).as("read while open for writing").isZero();
    assertThat(Files.readString(f)).isEqualTo("one\ntwo\nthree\n");
    assertThat(Posix.lstat(f).mode() & 07777).as("mode of %s after the write", f).isEqualTo(0777);
  }

  @ParameterizedTest
  @EnumSource(DataPath.class)
  void setUidGivenWhileOpenForWritingIsDroppedByTheNextWrite(DataPath path) throws Exception {
    Path d = dir(path);
    Path f = Files.createFile(d.resolve("opened"));
    Posix.chown(f, 65534, 65534);
    Posix.chmod(f, 0777);
    // The owner opens the file for writing, then sets the bits, then writes through the open file.
    String script =
        "exec 3>>"
            + f
            + " && chmod 06777 "
            + f
            + " && [ \"$(stat -c %a "
            + f
            + ")\" = 6777 ] && echo written >&3";
    assertThat(asNobody("", script)).as("chmod, then write through the open file").isZero();
    assertThat(Posix.lstat(f).mode() & 07777).as("mode of %s after the write", f).isEqualTo(0777);
    assertThat(Files.readString(f)).isEqualTo("written\n");
  }

  @ParameterizedTest
  @EnumSource(DataPath.class)
  void chownToMinusOneChangesCtimeAndDropsSetId(DataPath path) throws Exception {
    Path d = dir(path);
    Path f = Files.writeString(d.resolve("f"), "x");
    Posix.chmod(f, 06755);
    Path sub = Files.createDirectory(d.resolve("sub"));
    long fileCtime = Posix.lstat(f).ctimeNanos();
    long dirCtime = Posix.lstat(sub).ctimeNanos();
    Thread.sleep(20);
    Posix.chown(f, -1, -1);
    Posix.chown(sub, -1, -1);
    Posix.StatResult st = Posix.lstat(f);
    assertThat(st.ctimeNanos()).as("ctime of %s after chown(-1, -1)", f).isGreaterThan(fileCtime);
    assertThat(st.mode() & 07777).as("mode of %s after chown(-1, -1)", f).isEqualTo(0755);
    assertThat(Posix.lstat(sub).ctimeNanos())
        .as("ctime of %s after chown(-1, -1)", sub)
        .isGreaterThan(dirCtime);
  }

  @ParameterizedTest
  @EnumSource(DataPath.class)
  void chownToMinusOneByAnotherUserLeavesSetIdAlone(DataPath path) throws Exception {
    Path d = dir(path);
    Path setId = Files.writeString(d.resolve("setid"), "x");
    Posix.chmod(setId, 06755);
    Path plain = Files.writeString(d.resolve("plain"), "x");
    // "chown : FILE" is chown(FILE, -1, -1).
    assertThat(asNobody("", "chown : " + setId))
        .as("chown(-1, -1) of %s by uid 65534", setId)
        .isNotZero();
    assertThat(Posix.lstat(setId).mode() & 07777).isEqualTo(06755);
    assertThat(asNobody("", "chown : " + plain))
        .as("chown(-1, -1) of %s by uid 65534", plain)
        .isZero();
  }

  /** Runs {@code script} as uid/gid 65534 with the given supplementary groups; its exit status. */
  private static int asNobody(String groups, String script) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534"));
    cmd.add(groups.isEmpty() ? "--clear-groups" : "--groups=" + groups);
    cmd.addAll(List.of("sh", "-c", script));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void failuresArriveAsTheRightErrno(Target target) throws IOException {
    Path d = dir(target);
    Files.createDirectory(d.resolve("full"));
    Files.writeString(d.resolve("full/x"), "x");
    assertThatThrownBy(() -> Files.delete(d.resolve("full")))
        .isInstanceOf(DirectoryNotEmptyException.class);
    assertThatThrownBy(() -> Files.readString(d.resolve("missing")))
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> Files.createDirectory(d.resolve("full")))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThatThrownBy(() -> Posix.open(d.resolve("full/x/y"), Fcntl.O_RDONLY, 0))
        .isInstanceOfSatisfying(
            PosixError.class, e -> assertThat(e.errno).isEqualTo(Errno.ENOTDIR));
    assertThatThrownBy(() -> Posix.open(d.resolve("full"), Fcntl.O_WRONLY, 0))
        .isInstanceOfSatisfying(PosixError.class, e -> assertThat(e.errno).isEqualTo(Errno.EISDIR));
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void largeDirectoriesListEveryEntryOnce(Target target) throws IOException {
    Path d = dir(target);
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 3000; i++) {
      String name = "entry-with-a-longish-name-" + i;
      Files.createFile(d.resolve(name));
      expected.add(name);
    }
    List<String> listed = new ArrayList<>();
    try (Stream<Path> entries = Files.list(d)) {
      entries.forEach(p -> listed.add(p.getFileName().toString()));
    }
    assertThat(listed).hasSize(3000).containsExactlyInAnyOrderElementsOf(expected);
  }

  @ParameterizedTest
  @EnumSource(Target.class)
  void manyThreadsOnTheSameAndOnDifferentFiles(Target target) throws Exception {
    Path d = dir(target);
    Path shared = d.resolve("shared");
    int threads = 16;
    int chunk = 64 * 1024;
    int fd = Posix.open(shared, Fcntl.O_CREAT | Fcntl.O_RDWR, 0644);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  byte[] block = new byte[chunk];
                  java.util.Arrays.fill(block, (byte) id);
                  for (int round = 0; round < 20; round++) {
                    Posix.pwrite(fd, block, (long) id * chunk);
                    Path own = d.resolve("own-" + id + "-" + round);
                    Files.write(own, block);
                    assertThat(Files.readAllBytes(own)).isEqualTo(block);
                    Files.delete(own);
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      Posix.close(fd);
    }
    byte[] all = Files.readAllBytes(shared);
    assertThat(all).hasSize(threads * chunk);
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < chunk; i += 4096) {
        assertThat(all[t * chunk + i]).isEqualTo((byte) t);
      }
    }
  }
}
