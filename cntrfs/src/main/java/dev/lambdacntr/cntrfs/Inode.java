package dev.lambdacntr.cntrfs;

/**
 * One file of the source tree that the kernel knows by a node ID. It holds an O_PATH descriptor, so
 * it stays reachable across renames and after its last name is unlinked, and counts the kernel's
 * lookups so that the descriptor is closed when the kernel forgets it.
 */
final class Inode {
  final long nodeId;
  final long dev;
  final long ino;
  final int fd;
  final int type;

  /** Kernel references; changed only under the inode table's lock for {@link #key}. */
  long lookups;

  /** Open files of this inode, and the passthrough backing registered for them. */
  int opens;

  int backingId;

  /** When a request last named this inode, for choosing what to prune. */
  volatile long lastUsed;

  Inode(long nodeId, long dev, long ino, int fd, int type) {
    this.nodeId = nodeId;
    this.dev = dev;
    this.ino = ino;
    this.fd = fd;
    this.type = type;
  }

  InodeKey key() {
    return new InodeKey(dev, ino);
  }

  /** Identity of a file in the source tree: device and inode number. */
  record InodeKey(long dev, long ino) {}
}
