package dev.weir.benchmarks.recovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** Wall-clock times of log lines of a process started by {@link ClusterProcesses}. */
final class LogTimes {
  private final List<String> lines;

  private LogTimes(List<String> lines) {
    this.lines = lines;
  }

  static LogTimes of(Path log) throws IOException {
    return new LogTimes(
        Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of());
  }

  /** The time of the first line from {@code after} on that contains {@code text}. */
  OptionalLong first(String text, long after) {
    for (String line : lines) {
      long t = time(line);
      if (t >= after && line.contains(text)) {
        return OptionalLong.of(t);
      }
    }
    return OptionalLong.empty();
  }

  /** The lines from {@code after} on that contain {@code text}. */
  List<String> all(String text, long after) {
    List<String> found = new ArrayList<>();
    for (String line : lines) {
      if (line.contains(text) && time(line) >= after) {
        found.add(line);
      }
    }
    return found;
  }

  /** The time stamp a line starts with, or -1 (a line of a stack trace, a marker). */
  static long time(String line) {
    int space = line.indexOf(' ');
    if (space < 0) {
      return -1;
    }
    try {
      return new SimpleDateFormat(ClusterProcesses.LOG_TIME_FORMAT)
          .parse(line.substring(0, space))
          .getTime();
    } catch (ParseException e) {
      return -1;
    }
  }
}
