import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites a jar's pre-Java-6 classes (class-file version below 50) as version 52 classes with
 * stack maps, in place, so that the JDK's AOT cache can hold them. Run by finish-dist on the
 * distribution's copy of picocli, which is compiled for Java 5: the JVM verifies such classes with
 * the old type-inferring verifier and never archives them ("Skipping ...: Old class has been
 * linked"), so every start of the CLI loaded and verified picocli's ~170 classes from the jar.
 *
 * <p>Measured (benchmarks/cli/README.md, fourth round): spawn to the first API request of {@code
 * execute}, 7 interleaved rounds on the 2-core machine under load: 958 ms of CPU against 1077 with
 * the original jar. The code is unchanged; only the version and the stack maps the newer verifier
 * needs are new. A class whose rewrite the JDK's own verifier ({@link ClassFile#verify}) rejects
 * is kept as it was.
 *
 * <pre>java ArchivableClasses.java JAR</pre>
 */
public final class ArchivableClasses {

  private static final int OLDEST_ARCHIVABLE = 50;
  private static final int TARGET_VERSION = 52;

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: java ArchivableClasses.java JAR");
      System.exit(2);
    }
    Path jar = Path.of(args[0]);
    Path rewritten = jar.resolveSibling(jar.getFileName() + ".rewriting");
    int upgraded = 0;
    int kept = 0;
    try (URLClassLoader classes = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
        JarFile in = new JarFile(jar.toFile(), false);
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(rewritten))) {
      ClassFile classFile =
          ClassFile.of(
              ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
              ClassFile.ClassHierarchyResolverOption.of(
                  ClassHierarchyResolver.ofResourceParsing(classes)
                      .orElse(ClassHierarchyResolver.defaultResolver())));
      for (JarEntry entry : Collections.list(in.entries())) {
        byte[] bytes = in.getInputStream(entry).readAllBytes();
        if (entry.getName().endsWith(".class") && !entry.getName().endsWith("module-info.class")) {
          ClassModel model = classFile.parse(bytes);
          if (model.majorVersion() < OLDEST_ARCHIVABLE) {
            byte[] upgrade = upgrade(classFile, model);
            if (upgrade != null) {
              bytes = upgrade;
              upgraded++;
            } else {
              kept++;
            }
          }
        }
        ZipEntry copy = new ZipEntry(entry.getName());
        copy.setTime(entry.getTime());
        out.putNextEntry(copy);
        out.write(bytes);
        out.closeEntry();
      }
    }
    if (upgraded == 0) {
      Files.delete(rewritten); // nothing old (a second run): the jar stays as it is
    } else {
      Files.move(rewritten, jar, StandardCopyOption.REPLACE_EXISTING);
    }
    System.err.printf(
        "ArchivableClasses: %s: %d classes rewritten as version %d, %d kept (rejected by the"
            + " verifier)%n",
        jar.getFileName(), upgraded, TARGET_VERSION, kept);
  }

  /** The class at version 52 with generated stack maps, or null if the verifier rejects it. */
  private static byte[] upgrade(ClassFile classFile, ClassModel model) {
    try {
      byte[] bytes =
          classFile.transformClass(
              model,
              ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                  .andThen(ClassTransform.endHandler(c -> c.withVersion(TARGET_VERSION, 0))));
      return classFile.verify(bytes).isEmpty() ? bytes : null;
    } catch (IllegalArgumentException | IllegalStateException e) {
      return null;
    }
  }
}
