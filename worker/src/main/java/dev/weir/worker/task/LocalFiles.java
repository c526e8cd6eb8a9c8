package dev.weir.worker.task;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Removal of the local directories snapshots and restores leave behind. */
final class LocalFiles {
  private static final Logger LOG = LoggerFactory.getLogger(LocalFiles.class);

  private LocalFiles() {}

  /**
   * Deletes {@code directory} and everything in it; a failure is logged, not thrown, since the
   * files are only scratch space that the state directory's removal at exit takes too.
   */
  static void deleteQuietly(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cannot delete local snapshot files under {}: {}", directory, e.toString());
    }
  }
}
