package dev.weir.worker.usercode;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * Issue 15's scan: no main class of any Weir module reads Java serialization (an {@code
 * ObjectInputStream} of its own, or Beam's {@code SerializableUtils.deserializeFromByteArray},
 * which wraps one) except {@link UserCodeBytes}, the one decoder of user code whose callers the
 * package comment lists. Control messages are protobuf, so nothing else needs to; a new use
 * must go through {@link UserCodeBytes} or be added here with its reason.
 */
public class NoJavaDeserializationOfNetworkBytesTest {
  /** What reads Java serialization: Java's stream, Beam's helper over it, the XML variant. */
  private static final Pattern READS_JAVA_SERIALIZATION =
      Pattern.compile("\\bObjectInputStream\\b|\\bdeserializeFromByteArray\\b|\\bXMLDecoder\\b");

  /** Main sources allowed to, relative to the repository root. */
  private static final Set<String> ALLOWED =
      Set.of("worker/src/main/java/dev/weir/worker/usercode/UserCodeBytes.java");

  @Test
  public void onlyTheUserCodeDecoderReadsJavaSerialization() throws IOException {
    Path root = repositoryRoot();
    List<Path> mainSources = mainSources(root);
    Set<String> readers = new TreeSet<>();
    for (Path source : mainSources) {
      if (readsJavaSerialization(source)) {
        readers.add(root.relativize(source).toString().replace('\\', '/'));
      }
    }

    // The scan saw the modules' code, this one's decoder among it (else it proves nothing).
    assertTrue(
        "expected the main sources of several modules under " + root + ", found "
            + mainSources.size() + " files",
        mainSources.size() > 100);
    assertEquals(ALLOWED, readers);
  }

  private static boolean readsJavaSerialization(Path source) {
    List<String> lines;
    try {
      lines = Files.readAllLines(source);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String line : lines) {
      String code = line.strip();
      // Comments may name the classes; code that uses them may not.
      if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) {
        continue;
      }
      if (READS_JAVA_SERIALIZATION.matcher(code).find()) {
        return true;
      }
    }
    return false;
  }

  /** Every module's {@code src/main/java} tree (the scan runs from the worker module). */
  private static List<Path> mainSources(Path root) throws IOException {
    List<Path> sources = new ArrayList<>();
    try (Stream<Path> modules = Files.list(root)) {
      for (Path module : (Iterable<Path>) modules::iterator) {
        Path main = module.resolve("src/main/java");
        if (Files.isDirectory(main)) {
          try (Stream<Path> files = Files.walk(main)) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(sources::add);
          }
        }
      }
    }
    return sources;
  }

  private static Path repositoryRoot() {
    Path worker = Paths.get("").toAbsolutePath();
    if (!Files.isRegularFile(worker.resolve("pom.xml"))
        || !Files.isDirectory(worker.resolve("src/main/java/dev/weir/worker"))) {
      throw new IllegalStateException("expected to run in the worker module, ran in " + worker);
    }
    return worker.getParent();
  }
}
