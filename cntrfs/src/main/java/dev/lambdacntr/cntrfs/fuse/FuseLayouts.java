package dev.lambdacntr.cntrfs.fuse;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The structs of the FUSE kernel protocol that cntrfs reads and writes (include/uapi/linux/fuse.h,
 * protocol 7.45), one nested class per struct: its {@code LAYOUT}, named and laid out field by
 * field as in fuse.h, its {@code SIZE}, and an accessor per field cntrfs touches ({@link U16},
 * {@link U32}, {@link U64}: the field's offset, taken from the layout, and its width). Every
 * accessor takes the segment and the offset of the struct in it ({@code SetattrIn.MODE.get(segment,
 * at)}).
 *
 * <p>Accessors rather than the layouts' VarHandles: each is one plain unaligned access, as cheap as
 * the numeric offsets they replace, while a VarHandle per field made decoding a request and
 * encoding an entry twice as slow (65 against 150 ns in a loop; the JIT stops inlining the deeper
 * VarHandle chains of Reply.entry), and the field's width is checked by the compiler.
 *
 * <p>Fields are declared unaligned: requests are accessed in place, and the extensions after a name
 * need not be aligned. Padding is declared as the named fields fuse.h has, so every layout has the
 * offsets and size gcc gives the C struct ({@code FuseLayoutsTest} compiles fuse.h to check).
 */
public final class FuseLayouts {
  private FuseLayouts() {}

  /** FUSE_DIRENT_ALIGN: directory entries, and the structs themselves, are 8-byte aligned. */
  public static int direntAlign(int length) {
    return (length + Long.BYTES - 1) & -Long.BYTES;
  }

  /** struct fuse_in_header: the start of every request. */
  public static final class InHeader {
    private InHeader() {}

    public static final StructLayout LAYOUT =
        struct(
            "fuse_in_header",
            u32("len"),
            u32("opcode"),
            u64("unique"),
            u64("nodeid"),
            u32("uid"),
            u32("gid"),
            u32("pid"),
            u16("total_extlen"),
            u16("padding"));
    public static final int SIZE = size(LAYOUT);
    public static final U32 OPCODE = U32.of(LAYOUT, "opcode");
    public static final U64 UNIQUE = U64.of(LAYOUT, "unique");
    public static final U64 NODEID = U64.of(LAYOUT, "nodeid");
    public static final U32 UID = U32.of(LAYOUT, "uid");
    public static final U32 GID = U32.of(LAYOUT, "gid");
    public static final U32 PID = U32.of(LAYOUT, "pid");
    public static final U16 TOTAL_EXTLEN = U16.of(LAYOUT, "total_extlen");
  }

  /** struct fuse_out_header: the start of every reply and notification. */
  public static final class OutHeader {
    private OutHeader() {}

    public static final StructLayout LAYOUT =
        struct("fuse_out_header", u32("len"), u32("error"), u64("unique"));
    public static final int SIZE = size(LAYOUT);
    public static final U32 LEN = U32.of(LAYOUT, "len");

    /** The negated errno of a reply, or the notification code of a notification. */
    public static final U32 ERROR = U32.of(LAYOUT, "error");

    public static final U64 UNIQUE = U64.of(LAYOUT, "unique");
  }

  /** struct fuse_ext_header: one extension after the arguments of a request. */
  public static final class ExtHeader {
    private ExtHeader() {}

    public static final StructLayout LAYOUT = struct("fuse_ext_header", u32("size"), u32("type"));
    public static final int SIZE = size(LAYOUT);
    public static final U32 SIZE_FIELD = U32.of(LAYOUT, "size");
    public static final U32 TYPE = U32.of(LAYOUT, "type");
  }

  /** struct fuse_supp_groups: the FUSE_EXT_GROUPS extension. */
  public static final class SuppGroups {
    private SuppGroups() {}

    public static final StructLayout LAYOUT =
        struct("fuse_supp_groups", u32("nr_groups"), flexible("groups", JAVA_INT_UNALIGNED));
    public static final int SIZE = size(LAYOUT);
    public static final U32 NR_GROUPS = U32.of(LAYOUT, "nr_groups");

    /** Where groups[] starts. */
    public static final int GROUPS = offset(LAYOUT, "groups");
  }

  /** struct fuse_init_in. */
  public static final class InitIn {
    private InitIn() {}

    public static final StructLayout LAYOUT =
        struct(
            "fuse_init_in",
            u32("major"),
            u32("minor"),
            u32("max_readahead"),
            u32("flags"),
            u32("flags2"),
            MemoryLayout.sequenceLayout(11, JAVA_INT_UNALIGNED).withName("unused"));
    public static final int SIZE = size(LAYOUT);
    public static final U32 MAJOR = U32.of(LAYOUT, "major");
    public static final U32 MINOR = U32.of(LAYOUT, "minor");
    public static final U32 MAX_READAHEAD = U32.of(LAYOUT, "max_readahead");
    public static final U32 FLAGS = U32.of(LAYOUT, "flags");
    public static final U32 FLAGS2 = U32.of(LAYOUT, "flags2");
  }

  /** struct fuse_init_out. */
  public static final class InitOut {
    private InitOut() {}

    public static final StructLayout LAYOUT =
        struct(
            "fuse_init_out",
            u32("major"),
            u32("minor"),
            u32("max_readahead"),
            u32("flags"),
            u16("max_background"),
            u16("congestion_threshold"),
            u32("max_write"),
            u32("time_gran"),
            u16("max_pages"),
            u16("map_alignment"),
            u32("flags2"),
            u32("max_stack_depth"),
            u16("request_timeout"),
            MemoryLayout.sequenceLayout(11, JAVA_SHORT_UNALIGNED).withName("unused"));
    public static final int SIZE = size(LAYOUT);
    public static final U32 MAJOR = U32.of(LAYOUT, "major");
    public static final U32 MINOR = U32.of(LAYOUT, "minor");
    public static final U32 MAX_READAHEAD = U32.of(LAYOUT, "max_readahead");
    public static final U32 FLAGS = U32.of(LAYOUT, "flags");
    public static final U16 MAX_BACKGROUND = U16.of(LAYOUT, "max_background");
    public static final U16 CONGESTION_THRESHOLD = U16.of(LAYOUT, "congestion_threshold");
    public static final U32 MAX_WRITE = U32.of(LAYOUT, "max_write");
    public static final U32 TIME_GRAN = U32.of(LAYOUT, "time_gran");
    public static final U16 MAX_PAGES = U16.of(LAYOUT, "max_pages");
    public static final U32 FLAGS2 = U32.of(LAYOUT, "flags2");
    public static final U32 MAX_STACK_DEPTH = U32.of(LAYOUT, "max_stack_depth");
  }

  /** struct fuse_attr. */
  public static final class Attr {
    private Attr() {}

    public static final StructLayout LAYOUT =
        struct(
            "fuse_attr",
            u64("ino"),
            u64("size"),
            u64("blocks"),
            u64("atime"),
            u64("mtime"),
            u64("ctime"),
            u32("atimensec"),
            u32("mtimensec"),
            u32("ctimensec"),
            u32("mode"),
            u32("nlink"),
            u32("uid"),
            u32("gid"),
            u32("rdev"),
            u32("blksize"),
            u32("flags"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 INO = U64.of(LAYOUT, "ino");
    public static final U64 SIZE_FIELD = U64.of(LAYOUT, "size");
    public static final U64 BLOCKS = U64.of(LAYOUT, "blocks");
    public static final U64 ATIME = U64.of(LAYOUT, "atime");
    public static final U64 MTIME = U64.of(LAYOUT, "mtime");
    public static final U64 CTIME = U64.of(LAYOUT, "ctime");
    public static final U32 ATIMENSEC = U32.of(LAYOUT, "atimensec");
    public static final U32 MTIMENSEC = U32.of(LAYOUT, "mtimensec");
    public static final U32 CTIMENSEC = U32.of(LAYOUT, "ctimensec");
    public static final U32 MODE = U32.of(LAYOUT, "mode");
    public static final U32 NLINK = U32.of(LAYOUT, "nlink");
    public static final U32 UID = U32.of(LAYOUT, "uid");
    public static final U32 GID = U32.of(LAYOUT, "gid");
    public static final U32 RDEV = U32.of(LAYOUT, "rdev");
    public static final U32 BLKSIZE = U32.of(LAYOUT, "blksize");
    public static final U32 FLAGS = U32.of(LAYOUT, "flags");
  }

  /** struct fuse_entry_out: the reply to LOOKUP and the creations. */
  public static final class EntryOut {
    private EntryOut() {}

    public static final StructLayout LAYOUT =
        struct(
            "fuse_entry_out",
            u64("nodeid"),
            u64("generation"),
            u64("entry_valid"),
            u64("attr_valid"),
            u32("entry_valid_nsec"),
            u32("attr_valid_nsec"),
            Attr.LAYOUT.withName("attr"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 NODEID = U64.of(LAYOUT, "nodeid");
    public static final U64 GENERATION = U64.of(LAYOUT, "generation");
    public static final U64 ENTRY_VALID = U64.of(LAYOUT, "entry_valid");
    public static final U64 ATTR_VALID = U64.of(LAYOUT, "attr_valid");
    public static final U32 ENTRY_VALID_NSEC = U32.of(LAYOUT, "entry_valid_nsec");
    public static final U32 ATTR_VALID_NSEC = U32.of(LAYOUT, "attr_valid_nsec");

    /** Where the struct fuse_attr starts. */
    public static final int ATTR = offset(LAYOUT, "attr");
  }

  /** struct fuse_attr_out: the reply to GETATTR and SETATTR. */
  public static final class AttrOut {
    private AttrOut() {}

    public static final StructLayout LAYOUT =
        struct(
            "fuse_attr_out",
            u64("attr_valid"),
            u32("attr_valid_nsec"),
            u32("dummy"),
            Attr.LAYOUT.withName("attr"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 ATTR_VALID = U64.of(LAYOUT, "attr_valid");
    public static final U32 ATTR_VALID_NSEC = U32.of(LAYOUT, "attr_valid_nsec");
    public static final U32 DUMMY = U32.of(LAYOUT, "dummy");

    /** Where the struct fuse_attr starts. */
    public static final int ATTR = offset(LAYOUT, "attr");
  }

  /** struct fuse_forget_in. */
  public static final class ForgetIn {
    private ForgetIn() {}

    public static final StructLayout LAYOUT = struct("fuse_forget_in", u64("nlookup"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 NLOOKUP = U64.of(LAYOUT, "nlookup");
  }

  /** struct fuse_batch_forget_in, followed by {@code count} struct fuse_forget_one. */
  public static final class BatchForgetIn {
    private BatchForgetIn() {}

    public static final StructLayout LAYOUT =
        struct("fuse_batch_forget_in", u32("count"), u32("dummy"));
    public static final int SIZE = size(LAYOUT);
    public static final U32 COUNT = U32.of(LAYOUT, "count");
  }

  /** struct fuse_forget_one. */
  public static final class ForgetOne {
    private ForgetOne() {}

    public static final StructLayout LAYOUT =
        struct("fuse_forget_one", u64("nodeid"), u64("nlookup"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 NODEID = U64.of(LAYOUT, "nodeid");
    public static final U64 NLOOKUP = U64.of(LAYOUT, "nlookup");
  }

  /** struct fuse_setattr_in. */
  public static final class SetattrIn {
    private SetattrIn() {}

    public static final StructLayout LAYOUT =
        struct(
            "fuse_setattr_in",
            u32("valid"),
            u32("padding"),
            u64("fh"),
            u64("size"),
            u64("lock_owner"),
            u64("atime"),
            u64("mtime"),
            u64("ctime"),
            u32("atimensec"),
            u32("mtimensec"),
            u32("ctimensec"),
            u32("mode"),
            u32("unused4"),
            u32("uid"),
            u32("gid"),
            u32("unused5"));
    public static final int SIZE = size(LAYOUT);
    public static final U32 VALID = U32.of(LAYOUT, "valid");
    public static final U64 FH = U64.of(LAYOUT, "fh");
    public static final U64 SIZE_FIELD = U64.of(LAYOUT, "size");
    public static final U64 ATIME = U64.of(LAYOUT, "atime");
    public static final U64 MTIME = U64.of(LAYOUT, "mtime");
    public static final U32 ATIMENSEC = U32.of(LAYOUT, "atimensec");
    public static final U32 MTIMENSEC = U32.of(LAYOUT, "mtimensec");
    public static final U32 MODE = U32.of(LAYOUT, "mode");
    public static final U32 UID = U32.of(LAYOUT, "uid");
    public static final U32 GID = U32.of(LAYOUT, "gid");
  }

  /** struct fuse_mknod_in, followed by the name. */
  public static final class MknodIn {
    private MknodIn() {}

    public static final StructLayout LAYOUT =
        struct("fuse_mknod_in", u32("mode"), u32("rdev"), u32("umask"), u32("padding"));
    public static final int SIZE = size(LAYOUT);
    public static final U32 MODE = U32.of(LAYOUT, "mode");
    public static final U32 RDEV = U32.of(LAYOUT, "rdev");
  }

  /** struct fuse_mkdir_in, followed by the name. */
  public static final class MkdirIn {
    private MkdirIn() {}

    public static final StructLayout LAYOUT = struct("fuse_mkdir_in", u32("mode"), u32("umask"));
    public static final int SIZE = size(LAYOUT);
    public static final U32 MODE = U32.of(LAYOUT, "mode");
  }

  /** struct fuse_rename_in, followed by the old and the new name. */
  public static final class RenameIn {
    private RenameIn() {}

    public static final StructLayout LAYOUT = struct("fuse_rename_in", u64("newdir"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 NEWDIR = U64.of(LAYOUT, "newdir");
  }

  /** struct fuse_rename2_in, followed by the old and the new name. */
  public static final class Rename2In {
    private Rename2In() {}

    public static final StructLayout LAYOUT =
        struct("fuse_rename2_in", u64("newdir"), u32("flags"), u32("padding"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 NEWDIR = U64.of(LAYOUT, "newdir");
    public static final U32 FLAGS = U32.of(LAYOUT, "flags");
  }

  /** struct fuse_link_in, followed by the new name. */
  public static final class LinkIn {
    private LinkIn() {}

    public static final StructLayout LAYOUT = struct("fuse_link_in", u64("oldnodeid"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 OLDNODEID = U64.of(LAYOUT, "oldnodeid");
  }

  /** struct fuse_open_in. */
  public static final class OpenIn {
    private OpenIn() {}

    public static final StructLayout LAYOUT =
        struct("fuse_open_in", u32("flags"), u32("open_flags"));
    public static final int SIZE = size(LAYOUT);
    public static final U32 FLAGS = U32.of(LAYOUT, "flags");
    public static final U32 OPEN_FLAGS = U32.of(LAYOUT, "open_flags");
  }

  /** struct fuse_create_in, followed by the name. */
  public static final class CreateIn {
    private CreateIn() {}

    public static final StructLayout LAYOUT =
        struct("fuse_create_in", u32("flags"), u32("mode"), u32("umask"), u32("open_flags"));
    public static final int SIZE = size(LAYOUT);
    public static final U32 FLAGS = U32.of(LAYOUT, "flags");
    public static final U32 MODE = U32.of(LAYOUT, "mode");
  }

  /** struct fuse_open_out: the reply to OPEN and OPENDIR, and the second half of CREATE's. */
  public static final class OpenOut {
    private OpenOut() {}

    public static final StructLayout LAYOUT =
        struct("fuse_open_out", u64("fh"), u32("open_flags"), u32("backing_id"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 FH = U64.of(LAYOUT, "fh");
    public static final U32 OPEN_FLAGS = U32.of(LAYOUT, "open_flags");
    public static final U32 BACKING_ID = U32.of(LAYOUT, "backing_id");
  }

  /** struct fuse_release_in: RELEASE and RELEASEDIR. */
  public static final class ReleaseIn {
    private ReleaseIn() {}

    public static final StructLayout LAYOUT =
        struct("fuse_release_in", u64("fh"), u32("flags"), u32("release_flags"), u64("lock_owner"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 FH = U64.of(LAYOUT, "fh");
  }

  /** struct fuse_read_in: READ, READDIR and READDIRPLUS. */
  public static final class ReadIn {
    private ReadIn() {}

    public static final StructLayout LAYOUT =
        struct(
            "fuse_read_in",
            u64("fh"),
            u64("offset"),
            u32("size"),
            u32("read_flags"),
            u64("lock_owner"),
            u32("flags"),
            u32("padding"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 FH = U64.of(LAYOUT, "fh");
    public static final U64 OFFSET = U64.of(LAYOUT, "offset");
    public static final U32 SIZE_FIELD = U32.of(LAYOUT, "size");
  }

  /** struct fuse_write_in, followed by the data. */
  public static final class WriteIn {
    private WriteIn() {}

    public static final StructLayout LAYOUT =
        struct(
            "fuse_write_in",
            u64("fh"),
            u64("offset"),
            u32("size"),
            u32("write_flags"),
            u64("lock_owner"),
            u32("flags"),
            u32("padding"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 FH = U64.of(LAYOUT, "fh");
    public static final U64 OFFSET = U64.of(LAYOUT, "offset");
    public static final U32 SIZE_FIELD = U32.of(LAYOUT, "size");
    public static final U32 WRITE_FLAGS = U32.of(LAYOUT, "write_flags");
  }

  /** struct fuse_write_out: the reply to WRITE and COPY_FILE_RANGE. */
  public static final class WriteOut {
    private WriteOut() {}

    public static final StructLayout LAYOUT = struct("fuse_write_out", u32("size"), u32("padding"));
    public static final int SIZE = size(LAYOUT);
    public static final U32 SIZE_FIELD = U32.of(LAYOUT, "size");
    public static final U32 PADDING = U32.of(LAYOUT, "padding");
  }

  /** struct fuse_fsync_in: FSYNC and FSYNCDIR. */
  public static final class FsyncIn {
    private FsyncIn() {}

    public static final StructLayout LAYOUT =
        struct("fuse_fsync_in", u64("fh"), u32("fsync_flags"), u32("padding"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 FH = U64.of(LAYOUT, "fh");
    public static final U32 FSYNC_FLAGS = U32.of(LAYOUT, "fsync_flags");
  }

  /**
   * struct fuse_setxattr_in, followed by the name and the value. Without FUSE_SETXATTR_EXT (which
   * cntrfs does not ask for) the kernel sends only its first {@link #COMPAT_SIZE} bytes.
   */
  public static final class SetxattrIn {
    private SetxattrIn() {}

    public static final StructLayout LAYOUT =
        struct(
            "fuse_setxattr_in", u32("size"), u32("flags"), u32("setxattr_flags"), u32("padding"));
    public static final int SIZE = size(LAYOUT);

    /** FUSE_COMPAT_SETXATTR_IN_SIZE: size and flags only. */
    public static final int COMPAT_SIZE = offset(LAYOUT, "setxattr_flags");

    public static final U32 SIZE_FIELD = U32.of(LAYOUT, "size");
    public static final U32 FLAGS = U32.of(LAYOUT, "flags");
  }

  /** struct fuse_getxattr_in: GETXATTR (followed by the name) and LISTXATTR. */
  public static final class GetxattrIn {
    private GetxattrIn() {}

    public static final StructLayout LAYOUT =
        struct("fuse_getxattr_in", u32("size"), u32("padding"));
    public static final int SIZE = size(LAYOUT);
    public static final U32 SIZE_FIELD = U32.of(LAYOUT, "size");
  }

  /** struct fuse_getxattr_out: the reply when the caller asks for the size only. */
  public static final class GetxattrOut {
    private GetxattrOut() {}

    public static final StructLayout LAYOUT =
        struct("fuse_getxattr_out", u32("size"), u32("padding"));
    public static final int SIZE = size(LAYOUT);
    public static final U32 SIZE_FIELD = U32.of(LAYOUT, "size");
    public static final U32 PADDING = U32.of(LAYOUT, "padding");
  }

  /** struct fuse_fallocate_in. */
  public static final class FallocateIn {
    private FallocateIn() {}

    public static final StructLayout LAYOUT =
        struct(
            "fuse_fallocate_in",
            u64("fh"),
            u64("offset"),
            u64("length"),
            u32("mode"),
            u32("padding"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 FH = U64.of(LAYOUT, "fh");
    public static final U64 OFFSET = U64.of(LAYOUT, "offset");
    public static final U64 LENGTH = U64.of(LAYOUT, "length");
    public static final U32 MODE = U32.of(LAYOUT, "mode");
  }

  /** struct fuse_lseek_in. */
  public static final class LseekIn {
    private LseekIn() {}

    public static final StructLayout LAYOUT =
        struct("fuse_lseek_in", u64("fh"), u64("offset"), u32("whence"), u32("padding"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 FH = U64.of(LAYOUT, "fh");
    public static final U64 OFFSET = U64.of(LAYOUT, "offset");
    public static final U32 WHENCE = U32.of(LAYOUT, "whence");
  }

  /** struct fuse_lseek_out. */
  public static final class LseekOut {
    private LseekOut() {}

    public static final StructLayout LAYOUT = struct("fuse_lseek_out", u64("offset"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 OFFSET = U64.of(LAYOUT, "offset");
  }

  /** struct fuse_copy_file_range_in. */
  public static final class CopyFileRangeIn {
    private CopyFileRangeIn() {}

    public static final StructLayout LAYOUT =
        struct(
            "fuse_copy_file_range_in",
            u64("fh_in"),
            u64("off_in"),
            u64("nodeid_out"),
            u64("fh_out"),
            u64("off_out"),
            u64("len"),
            u64("flags"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 FH_IN = U64.of(LAYOUT, "fh_in");
    public static final U64 OFF_IN = U64.of(LAYOUT, "off_in");
    public static final U64 FH_OUT = U64.of(LAYOUT, "fh_out");
    public static final U64 OFF_OUT = U64.of(LAYOUT, "off_out");
    public static final U64 LEN = U64.of(LAYOUT, "len");
    public static final U64 FLAGS = U64.of(LAYOUT, "flags");
  }

  /** struct fuse_kstatfs. */
  public static final class Kstatfs {
    private Kstatfs() {}

    public static final StructLayout LAYOUT =
        struct(
            "fuse_kstatfs",
            u64("blocks"),
            u64("bfree"),
            u64("bavail"),
            u64("files"),
            u64("ffree"),
            u32("bsize"),
            u32("namelen"),
            u32("frsize"),
            u32("padding"),
            MemoryLayout.sequenceLayout(6, JAVA_INT_UNALIGNED).withName("spare"));
    public static final int SIZE = size(LAYOUT);
  }

  /** struct fuse_statfs_out. */
  public static final class StatfsOut {
    private StatfsOut() {}

    public static final StructLayout LAYOUT =
        struct("fuse_statfs_out", Kstatfs.LAYOUT.withName("st"));
    public static final int SIZE = size(LAYOUT);
    public static final U64 BLOCKS = U64.of(LAYOUT, "st", "blocks");
    public static final U64 BFREE = U64.of(LAYOUT, "st", "bfree");
    public static final U64 BAVAIL = U64.of(LAYOUT, "st", "bavail");
    public static final U64 FILES = U64.of(LAYOUT, "st", "files");
    public static final U64 FFREE = U64.of(LAYOUT, "st", "ffree");
    public static final U32 BSIZE = U32.of(LAYOUT, "st", "bsize");
    public static final U32 NAMELEN = U32.of(LAYOUT, "st", "namelen");
    public static final U32 FRSIZE = U32.of(LAYOUT, "st", "frsize");
  }

  /** struct fuse_dirent: one READDIR entry, followed by its name and padding to 8 bytes. */
  public static final class Dirent {
    private Dirent() {}

    public static final StructLayout LAYOUT =
        struct(
            "fuse_dirent",
            u64("ino"),
            u64("off"),
            u32("namelen"),
            u32("type"),
            flexible("name", JAVA_BYTE));
    public static final int SIZE = size(LAYOUT);
    public static final U64 INO = U64.of(LAYOUT, "ino");
    public static final U64 OFF = U64.of(LAYOUT, "off");
    public static final U32 NAMELEN = U32.of(LAYOUT, "namelen");
    public static final U32 TYPE = U32.of(LAYOUT, "type");

    /** FUSE_NAME_OFFSET: where the name starts. */
    public static final int NAME = offset(LAYOUT, "name");
  }

  /** struct fuse_direntplus: one READDIRPLUS entry, an entry_out and a dirent. */
  public static final class Direntplus {
    private Direntplus() {}

    public static final StructLayout LAYOUT =
        struct(
            "fuse_direntplus",
            EntryOut.LAYOUT.withName("entry_out"),
            Dirent.LAYOUT.withName("dirent"));
    public static final int SIZE = size(LAYOUT);

    /** Where the struct fuse_entry_out starts. */
    public static final int ENTRY_OUT = offset(LAYOUT, "entry_out");

    /** Where the struct fuse_dirent starts. */
    public static final int DIRENT = offset(LAYOUT, "dirent");
  }

  /** struct fuse_backing_map: the argument of FUSE_DEV_IOC_BACKING_OPEN. */
  public static final class BackingMap {
    private BackingMap() {}

    public static final StructLayout LAYOUT =
        struct("fuse_backing_map", u32("fd"), u32("flags"), u64("padding"));
    public static final int SIZE = size(LAYOUT);
    public static final U32 FD = U32.of(LAYOUT, "fd");
  }

  /** struct fuse_notify_prune_out, followed by {@code count} node IDs (FUSE_NOTIFY_PRUNE). */
  public static final class NotifyPruneOut {
    private NotifyPruneOut() {}

    public static final StructLayout LAYOUT =
        struct("fuse_notify_prune_out", u32("count"), u32("padding"), u64("spare"));
    public static final int SIZE = size(LAYOUT);
    public static final U32 COUNT = U32.of(LAYOUT, "count");
  }

  /**
   * Every struct above, for the test that compares them with the C compiler's. A method, not a
   * constant: the nested classes call this class's helpers as they initialize, so this class must
   * not refer back to them while it initializes.
   */
  public static List<StructLayout> all() {
    return List.of(
        InHeader.LAYOUT,
        OutHeader.LAYOUT,
        ExtHeader.LAYOUT,
        SuppGroups.LAYOUT,
        InitIn.LAYOUT,
        InitOut.LAYOUT,
        Attr.LAYOUT,
        EntryOut.LAYOUT,
        AttrOut.LAYOUT,
        ForgetIn.LAYOUT,
        BatchForgetIn.LAYOUT,
        ForgetOne.LAYOUT,
        SetattrIn.LAYOUT,
        MknodIn.LAYOUT,
        MkdirIn.LAYOUT,
        RenameIn.LAYOUT,
        Rename2In.LAYOUT,
        LinkIn.LAYOUT,
        OpenIn.LAYOUT,
        CreateIn.LAYOUT,
        OpenOut.LAYOUT,
        ReleaseIn.LAYOUT,
        ReadIn.LAYOUT,
        WriteIn.LAYOUT,
        WriteOut.LAYOUT,
        FsyncIn.LAYOUT,
        SetxattrIn.LAYOUT,
        GetxattrIn.LAYOUT,
        GetxattrOut.LAYOUT,
        FallocateIn.LAYOUT,
        LseekIn.LAYOUT,
        LseekOut.LAYOUT,
        CopyFileRangeIn.LAYOUT,
        Kstatfs.LAYOUT,
        StatfsOut.LAYOUT,
        Dirent.LAYOUT,
        Direntplus.LAYOUT,
        BackingMap.LAYOUT,
        NotifyPruneOut.LAYOUT);
  }

  private static StructLayout struct(String name, MemoryLayout... fields) {
    return MemoryLayout.structLayout(fields).withName(name);
  }

  private static ValueLayout.OfShort u16(String name) {
    return JAVA_SHORT_UNALIGNED.withName(name);
  }

  private static ValueLayout.OfInt u32(String name) {
    return JAVA_INT_UNALIGNED.withName(name);
  }

  private static ValueLayout.OfLong u64(String name) {
    return JAVA_LONG_UNALIGNED.withName(name);
  }

  /** A C flexible array member ({@code type name[]}): no bytes of its own. */
  private static SequenceLayout flexible(String name, ValueLayout element) {
    return MemoryLayout.sequenceLayout(0, element).withName(name);
  }

  private static int size(StructLayout layout) {
    return Math.toIntExact(layout.byteSize());
  }

  private static int offset(StructLayout layout, String field) {
    return Math.toIntExact(layout.byteOffset(groupElement(field)));
  }

  private static long fieldOffset(StructLayout layout, String[] path, Class<?> carrier) {
    MemoryLayout.PathElement[] elements = new MemoryLayout.PathElement[path.length];
    for (int i = 0; i < path.length; i++) {
      elements[i] = groupElement(path[i]);
    }
    if (!(layout.select(elements) instanceof ValueLayout v) || v.carrier() != carrier) {
      throw new IllegalArgumentException(
          layout.name().orElseThrow() + "." + String.join(".", path) + " is not a " + carrier);
    }
    return layout.byteOffset(elements);
  }

  /** A 16-bit field (uint16_t) of a struct, at {@code offset} in it. */
  public record U16(long offset) {
    static U16 of(StructLayout layout, String... path) {
      return new U16(fieldOffset(layout, path, short.class));
    }

    /** The field of the struct at {@code struct} in {@code segment}. */
    public short get(MemorySegment segment, long struct) {
      return segment.get(JAVA_SHORT_UNALIGNED, struct + offset);
    }

    public void set(MemorySegment segment, long struct, short value) {
      segment.set(JAVA_SHORT_UNALIGNED, struct + offset, value);
    }
  }

  /** A 32-bit field (uint32_t, int32_t) of a struct, at {@code offset} in it. */
  public record U32(long offset) {
    static U32 of(StructLayout layout, String... path) {
      return new U32(fieldOffset(layout, path, int.class));
    }

    /** The field of the struct at {@code struct} in {@code segment}. */
    public int get(MemorySegment segment, long struct) {
      return segment.get(JAVA_INT_UNALIGNED, struct + offset);
    }

    public void set(MemorySegment segment, long struct, int value) {
      segment.set(JAVA_INT_UNALIGNED, struct + offset, value);
    }
  }

  /** A 64-bit field (uint64_t) of a struct, at {@code offset} in it. */
  public record U64(long offset) {
    static U64 of(StructLayout layout, String... path) {
      return new U64(fieldOffset(layout, path, long.class));
    }

    /** The field of the struct at {@code struct} in {@code segment}. */
    public long get(MemorySegment segment, long struct) {
      return segment.get(JAVA_LONG_UNALIGNED, struct + offset);
    }

    public void set(MemorySegment segment, long struct, long value) {
      segment.set(JAVA_LONG_UNALIGNED, struct + offset, value);
    }
  }
}
