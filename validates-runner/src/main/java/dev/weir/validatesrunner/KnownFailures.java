package dev.weir.validatesrunner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checked-in list of tests the runner is known to fail, each with a reason.
 *
 * <p>Format, one test a line: {@code fully.qualified.TestClass#method<TAB>reason}. Blank lines
 * and lines starting with {@code #} are comments. A reason starting with {@code flaky:} marks a
 * test that sometimes passes: it may fail without being a regression, and passing does not ask
 * for its removal.
 */
public final class KnownFailures {

  /** One listed test; {@code source} names the list it is in, {@code line} its line there. */
  public record Entry(TestId id, String reason, String source, int line) {
    /** {@code source:line}, for messages. */
    public String where() {
      return source + ":" + line;
    }

    public boolean flaky() {
      return reason.regionMatches(true, 0, "flaky:", 0, "flaky:".length());
    }
  }

  private final Map<TestId, Entry> entries;

  private KnownFailures(Map<TestId, Entry> entries) {
    this.entries = Collections.unmodifiableMap(entries);
  }

  public static KnownFailures none() {
    return new KnownFailures(new TreeMap<>());
  }

  /** Reads the list; a missing file is an empty list (a runner that fails nothing). */
  public static KnownFailures read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return none();
    }
    return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.getFileName().toString());
  }

  /**
   * Reads several lists as one: a run with extra options (checkpoints on) is held to the plain
   * list and to its own, so a test fixed for both leaves one list only. A test in two lists is
   * an error, as within one.
   */
  public static KnownFailures readAll(List<Path> files) throws IOException {
    KnownFailures all = none();
    for (Path file : files) {
      all = all.union(read(file));
    }
    return all;
  }

  /** Both lists; a test listed in both is an error. */
  public KnownFailures union(KnownFailures other) {
    Map<TestId, Entry> both = new TreeMap<>(entries);
    for (Entry entry : other.entries.values()) {
      Entry previous = both.put(entry.id(), entry);
      if (previous != null) {
        throw new IllegalArgumentException(
            entry.where() + ": " + entry.id() + " is listed twice (also " + previous.where() + ")");
      }
    }
    return new KnownFailures(both);
  }

  /** Parses the lines of a list; {@code source} names it in error messages. */
  public static KnownFailures parse(List<String> lines, String source) {
    Map<TestId, Entry> entries = new TreeMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int lineNumber = i + 1;
      String[] parts = line.split("\t", 2);
      String reason = parts.length > 1 ? parts[1].strip() : "";
      if (reason.isEmpty()) {
        // A list without reasons turns into a list nobody dares to shorten.
        throw new IllegalArgumentException(
            source + ":" + lineNumber + ": expected 'Class#method<TAB>reason', got: " + line);
      }
      TestId id;
      try {
        id = TestId.parse(parts[0]);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ":" + lineNumber + ": " + e.getMessage(), e);
      }
      Entry previous = entries.put(id, new Entry(id, reason, source, lineNumber));
      if (previous != null) {
        throw new IllegalArgumentException(
            source + ":" + lineNumber + ": " + id + " is listed twice (also line "
                + previous.line() + ")");
      }
    }
    return new KnownFailures(entries);
  }

  public Map<TestId, Entry> entries() {
    return entries;
  }

  public boolean contains(TestId id) {
    return entries.containsKey(id);
  }

  public int size() {
    return entries.size();
  }
}
