package dev.lambdacntr.cli.copy;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** What went wrong with a local file, in words: the path and the reason. */
final class IoMessages {

  private IoMessages() {}

  static String describe(Throwable e) {
    if (e instanceof FileSystemException f && f.getFile() != null) {
      String reason =
          switch (f) {
            case NoSuchFileException ignored -> "no such file or directory (ENOENT)";
            case AccessDeniedException ignored -> "permission denied (EACCES)";
            case FileAlreadyExistsException ignored -> "it exists (EEXIST)";
            case NotDirectoryException ignored -> "not a directory (ENOTDIR)";
            default -> f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
          };
      return f.getFile() + ": " + reason;
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
