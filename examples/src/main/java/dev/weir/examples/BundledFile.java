package dev.weir.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A data file that ships in this module's resources, copied to a temporary file (deleted when the
 * JVM exits) so that a pipeline reads a real file whatever the working directory or packaging.
 */
final class BundledFile {
  private BundledFile() {}

  /** Copies the class-path resource {@code resource} to a new temporary file; returns its path. */
  static String copyToTempFile(String resource) {
    try (InputStream in = BundledFile.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Missing class-path resource " + resource);
      }
      String name = resource.substring(resource.lastIndexOf('/') + 1);
      Path file = Files.createTempFile("weir-example-", "-" + name);
      file.toFile().deleteOnExit();
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      return file.toAbsolutePath().toString();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot copy " + resource + " to a temporary file", e);
    }
  }
}
