package dev.weir.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Passes numbers through, but holds every number from {@code from} on until the test opens the
 * gate: it creates {@code reached} in its directory when it first holds one, and waits for {@code
 * open} there. Files rather than a latch, so it works on worker processes too.
 */
public final class GatedFn extends DoFn<Long, Long> {
  private final String directory;
  private final long from;

  public GatedFn(Path directory, long from) {
    this.directory = directory.toAbsolutePath().toString();
    this.from = from;
  }

  public static Path reached(Path directory) {
    return directory.resolve("reached");
  }

  public static void open(Path directory) throws IOException {
    Files.createFile(directory.resolve("open"));
  }

  @ProcessElement
  public void process(@Element Long n, OutputReceiver<Long> out) throws InterruptedException {
    if (n >= from) {
      Path dir = Paths.get(directory);
      if (!Files.exists(reached(dir))) {
        try {
          Files.createFile(reached(dir));
        } catch (java.nio.file.FileAlreadyExistsException e) {
          // Another thread holds one too.
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      while (!Files.exists(dir.resolve("open"))) {
        Thread.sleep(10);
      }
    }
    out.output(n);
  }
}
