package dev.weir.portability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the line files that the tests' sinks append to. */
final class SinkFiles {
  private SinkFiles() {}

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
