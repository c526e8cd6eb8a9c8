package dev.weir.portability;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Reads the line files that the tests' sinks append to. */
final class SinkFiles {
  private SinkFiles() {}

  /** The records of every sink file in a directory: {@code key,seq,value} lines. */
  static final class Records {
    final Map<Long, Set<String>> thirdFieldBySeq = new HashMap<>();
    long lines;
  }

  /**
   * Reads every file in {@code directory}: per sequence number the distinct third fields written for
   * it. Each line's key must be the one the source gives its sequence number.
   */
  static Records read(Path directory, int keys) throws IOException {
    Records records = new Records();
    List<Path> files;
    try (Stream<Path> listed = Files.list(directory)) {
      files = listed.collect(Collectors.toList());
    }
    for (Path file : files) {
      for (String line : completeLines(file)) {
        records.lines++;
        String[] parts = line.split(",");
        long seq = Long.parseLong(parts[1]);
        assertEquals(line, SequenceSource.keyOf(seq, keys), parts[0]);
        records.thirdFieldBySeq.computeIfAbsent(seq, s -> new HashSet<>()).add(parts[2]);
      }
    }
    return records;
  }

  /**
   * The file's complete lines. A sink in a worker killed mid-write leaves an unterminated last line;
   * it is dropped, since the bundle that wrote it never finished and its elements are replayed.
   */
  static List<String> completeLines(Path file) throws IOException {
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      String line = text.substring(start, end);
      if (!line.isEmpty()) {
        lines.add(line);
      }
      start = end + 1;
    }
    return lines;
  }
}
