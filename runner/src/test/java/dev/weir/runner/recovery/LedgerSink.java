package dev.weir.runner.recovery;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * Appends each record as a line {@code key,seq,count,emission} to a file of its own in a shared
 * directory (one file per DoFn instance and process), written through at the end of each bundle.
 * Writing a record twice is harmless when it is the same record (the ledger keeps one line per
 * {@code (key, seq)} and content); two different records for one {@code (key, seq)} are a
 * duplicated effect.
 *
 * <p>{@link Stable} reads its input through {@code @RequiresStableInput}, as a sink that commits only
 * what a completed checkpoint has made durable must; {@link Unstable} does not, and shows what goes
 * wrong without it.
 */
abstract class LedgerSink extends DoFn<KV<String, String>, Void> {
  private static final AtomicLong INSTANCES = new AtomicLong();

  private final String directory;
  private transient BufferedWriter writer;

  LedgerSink(String directory) {
    this.directory = directory;
  }

  @Setup
  public void open() throws IOException {
    String process = ManagementFactory.getRuntimeMXBean().getName().replace('@', '-');
    Path file =
        Paths.get(directory, process + "-" + INSTANCES.incrementAndGet() + ".ledger");
    writer =
        Files.newBufferedWriter(
            file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  void write(KV<String, String> record) {
    try {
      writer.write(record.getKey() + "," + record.getValue());
      writer.newLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FinishBundle
  public void finishBundle() throws IOException {
    writer.flush();
  }

  @Teardown
  public void close() throws IOException {
    if (writer != null) {
      writer.close();
    }
  }

  static final class Stable extends LedgerSink {
    Stable(String directory) {
      super(directory);
    }

    @ProcessElement
    @RequiresStableInput
    public void process(@Element KV<String, String> record) {
      write(record);
    }
  }

  static final class Unstable extends LedgerSink {
    Unstable(String directory) {
      super(directory);
    }

    @ProcessElement
    public void process(@Element KV<String, String> record) {
      write(record);
    }
  }
}
