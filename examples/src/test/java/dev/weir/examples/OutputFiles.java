package dev.weir.examples;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Reads back what an example wrote under an output prefix. */
final class OutputFiles {
  private OutputFiles() {}

  /** All lines of every file named {@code <prefix>-*} (shards, and windows' shards), sorted. */
  static List<String> sortedLines(Path prefix) throws IOException {
    List<String> lines = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> dir =
        Files.newDirectoryStream(prefix.getParent(), prefix.getFileName() + "-*")) {
      dir.forEach(files::add);
    }
    assertThat("no output files under " + prefix, files, not(empty()));
    for (Path file : files) {
      lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
    }
    Collections.sort(lines);
    return lines;
  }
}
