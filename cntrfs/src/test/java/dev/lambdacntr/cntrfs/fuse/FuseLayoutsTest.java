package dev.lambdacntr.cntrfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every layout of {@link FuseLayouts} against the C struct of the installed linux/fuse.h: a C
 * program, generated from the layouts and compiled with gcc, prints sizeof and offsetof of every
 * struct and field (nested ones too), which must equal the layouts' byteSize and byteOffset.
 */
class FuseLayoutsTest {
  /**
   * What is newer than the installed header (Debian's linux-libc-dev 6.1 has fuse.h 7.38), by the
   * protocol minor version that added it: compiled only when the header has it.
   */
  private static final Map<String, Integer> SINCE =
      Map.of(
          "fuse_supp_groups", 39,
          "fuse_backing_map", 40,
          "fuse_open_out.backing_id", 40,
          "fuse_init_out.max_stack_depth", 40,
          "fuse_init_out.request_timeout", 43,
          "fuse_init_out.unused", 43,
          "fuse_notify_prune_out", 45);

  /**
   * The values of the keys above in fuse.h 7.45 (Linux 6.18), for headers older than that; "size"
   * is sizeof, "at" is offsetof. Read from the kernel's include/uapi/linux/fuse.h: the fields are
   * u32/i32/u64 and a u16 array, all naturally aligned, so gcc adds no padding.
   */
  private static final Map<String, Long> FUSE_7_45 = new LinkedHashMap<>();

  static {
    FUSE_7_45.put("size fuse_supp_groups", 4L);
    FUSE_7_45.put("at fuse_supp_groups.nr_groups", 0L);
    FUSE_7_45.put("size fuse_supp_groups.nr_groups", 4L);
    FUSE_7_45.put("at fuse_supp_groups.groups", 4L);
    FUSE_7_45.put("size fuse_backing_map", 16L);
    FUSE_7_45.put("at fuse_backing_map.fd", 0L);
    FUSE_7_45.put("size fuse_backing_map.fd", 4L);
    FUSE_7_45.put("at fuse_backing_map.flags", 4L);
    FUSE_7_45.put("size fuse_backing_map.flags", 4L);
    FUSE_7_45.put("at fuse_backing_map.padding", 8L);
    FUSE_7_45.put("size fuse_backing_map.padding", 8L);
    FUSE_7_45.put("at fuse_open_out.backing_id", 12L);
    FUSE_7_45.put("size fuse_open_out.backing_id", 4L);
    FUSE_7_45.put("at fuse_init_out.max_stack_depth", 36L);
    FUSE_7_45.put("size fuse_init_out.max_stack_depth", 4L);
    FUSE_7_45.put("at fuse_init_out.request_timeout", 40L);
    FUSE_7_45.put("size fuse_init_out.request_timeout", 2L);
    FUSE_7_45.put("at fuse_init_out.unused", 42L);
    FUSE_7_45.put("size fuse_init_out.unused", 22L);
    FUSE_7_45.put("size fuse_notify_prune_out", 16L);
    FUSE_7_45.put("at fuse_notify_prune_out.count", 0L);
    FUSE_7_45.put("size fuse_notify_prune_out.count", 4L);
    FUSE_7_45.put("at fuse_notify_prune_out.padding", 4L);
    FUSE_7_45.put("size fuse_notify_prune_out.padding", 4L);
    FUSE_7_45.put("at fuse_notify_prune_out.spare", 8L);
    FUSE_7_45.put("size fuse_notify_prune_out.spare", 8L);
  }

  @TempDir Path dir;

  @Test
  void everyLayoutHasTheSizeAndOffsetsGccGivesTheKernelHeader() throws Exception {
    Map<String, Long> expected = new LinkedHashMap<>();
    StringBuilder c = new StringBuilder();
    c.append("#include <stddef.h>\n#include <stdio.h>\n#include <linux/fuse.h>\n");
    c.append("int main(void) {\n");
    for (StructLayout struct : FuseLayouts.all()) {
      String name = struct.name().orElseThrow();
      Integer since = SINCE.get(name);
      if (since != null) {
        c.append("#if FUSE_KERNEL_MINOR_VERSION >= ").append(since).append('\n');
      }
      String type = "struct " + name;
      expected.put("size " + name, struct.byteSize());
      c.append(print("size " + name, "sizeof(" + type + ")"));
      members(c, expected, type, name, "", struct, 0);
      if (since != null) {
        c.append("#endif\n");
      }
    }
    c.append("return 0;\n}\n");

    Map<String, Long> actual = gcc(c.toString());
    List<String> fromConstants = new ArrayList<>();
    for (Map.Entry<String, Long> e : expected.entrySet()) {
      Long value = actual.get(e.getKey());
      if (value == null) {
        value = FUSE_7_45.get(e.getKey());
        fromConstants.add(e.getKey());
      }
      assertThat(value).as("%s in linux/fuse.h", e.getKey()).isEqualTo(e.getValue());
    }
    // All of the installed header's structs were compiled; only the newer parts were not.
    assertThat(fromConstants)
        .allSatisfy(k -> assertThat(FUSE_7_45).containsKey(k))
        .hasSizeLessThanOrEqualTo(FUSE_7_45.size());
    assertThat(actual.keySet()).isSubsetOf(expected.keySet());
  }

  /** The sizes every operation depends on, as fuse.h documents them. */
  @Test
  void fixedSizesMatchTheProtocol() {
    assertThat(FuseLayouts.InHeader.SIZE).isEqualTo(40);
    assertThat(FuseLayouts.OutHeader.SIZE).isEqualTo(16);
    assertThat(FuseLayouts.EntryOut.SIZE).isEqualTo(128);
    assertThat(FuseLayouts.SetxattrIn.COMPAT_SIZE).isEqualTo(8); // FUSE_COMPAT_SETXATTR_IN_SIZE
    assertThat(FuseLayouts.Dirent.NAME).isEqualTo(24); // FUSE_NAME_OFFSET
    assertThat(FuseLayouts.Direntplus.DIRENT).isEqualTo(128); // FUSE_NAME_OFFSET_DIRENTPLUS - 24
    assertThat(FuseLayouts.direntAlign(25)).isEqualTo(32);
    assertThat(FuseLayouts.direntAlign(24)).isEqualTo(24);
  }

  private static void members(
      StringBuilder c,
      Map<String, Long> expected,
      String type,
      String structName,
      String prefix,
      GroupLayout group,
      long base) {
    for (MemoryLayout member : group.memberLayouts()) {
      String field = prefix + member.name().orElseThrow();
      String key = structName + "." + field;
      long offset =
          base + group.byteOffset(MemoryLayout.PathElement.groupElement(member.name().get()));
      Integer since = SINCE.get(key);
      if (since != null) {
        c.append("#if FUSE_KERNEL_MINOR_VERSION >= ").append(since).append('\n');
      }
      expected.put("at " + key, offset);
      c.append(print("at " + key, "offsetof(" + type + ", " + field + ")"));
      boolean flexible = member instanceof SequenceLayout s && s.elementCount() == 0;
      if (!flexible) {
        expected.put("size " + key, member.byteSize());
        c.append(print("size " + key, "sizeof(((" + type + " *) 0)->" + field + ")"));
      }
      if (since != null) {
        c.append("#endif\n");
      }
      if (member instanceof GroupLayout nested) {
        members(c, expected, type, structName, field + ".", nested, offset);
      }
    }
  }

  private static String print(String key, String expression) {
    return "printf(\"" + key + " %zu\\n\", (size_t) " + expression + ");\n";
  }

  private Map<String, Long> gcc(String program) throws IOException, InterruptedException {
    Path source = dir.resolve("layouts.c");
    Path binary = dir.resolve("layouts");
    Files.writeString(source, program);
    run(List.of("gcc", "-Wall", "-Werror", "-o", binary.toString(), source.toString()));
    Map<String, Long> values = new LinkedHashMap<>();
    for (String line : run(List.of(binary.toString())).lines().toList()) {
      int space = line.lastIndexOf(' ');
      values.put(line.substring(0, space), Long.parseLong(line.substring(space + 1)));
    }
    return values;
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finishes", command).isTrue();
    assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
    return out;
  }
}
