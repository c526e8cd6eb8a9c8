package dev.weir.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Default of {@link WordCountOptions#getInputFile()}: copies the short story bundled in this
 * module's resources to a temporary file (deleted when the JVM exits) and returns its path, so the
 * example reads a real file whatever the working directory or packaging.
 */
public final class BundledText implements DefaultValueFactory<String> {
  /** Class-path location of the bundled text. */
  static final String RESOURCE = "/dev/weir/examples/river.txt";

  @Override
  public String create(PipelineOptions options) {
    try (InputStream in = BundledText.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("Missing class-path resource " + RESOURCE);
      }
      Path file = Files.createTempFile("weir-wordcount-", ".txt");
      file.toFile().deleteOnExit();
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      return file.toAbsolutePath().toString();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot copy " + RESOURCE + " to a temporary file", e);
    }
  }
}
