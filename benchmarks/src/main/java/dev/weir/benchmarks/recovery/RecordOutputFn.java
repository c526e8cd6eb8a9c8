package dev.weir.benchmarks.recovery;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;

/**
 * The job's sink: each instance (one per subtask and attempt) writes lines to a file of its own
 * under {@code directory}, which the benchmark reads while the job runs:
 *
 * <ul>
 *   <li>{@code first <setupMillis> <millis>}: the instance's first output, with the wall-clock time
 *       the instance was set up, so the benchmark tells the outputs of the restarted job (set up
 *       after the kill) from those of the killed one;
 *   <li>{@code filled <n>}: of the fill's elements, this instance has seen n (every 10,000, when
 *       the first element past the fill arrives, and for each fill element after that);
 *   <li>{@code past <sequence> <hadValue> <millis>}: each element past the fill.
 * </ul>
 *
 * Every process runs on this machine, so their wall clocks are one clock.
 */
final class RecordOutputFn extends DoFn<KV<Long, Long>, Void> {
  private final String directory;
  private final long fill;
  private transient BufferedWriter out;
  private transient long setupMillis;
  private transient long filled;
  private transient boolean any;
  private transient boolean past;

  RecordOutputFn(String directory, long fill) {
    this.directory = directory;
    this.fill = fill;
  }

  @Setup
  public void setup() throws IOException {
    setupMillis = System.currentTimeMillis();
    Path file =
        Paths.get(directory).resolve("sink-" + setupMillis + "-" + UUID.randomUUID() + ".log");
    out =
        Files.newBufferedWriter(
            file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  @ProcessElement
  public void process(@Element KV<Long, Long> sequenceAndHad) {
    long millis = System.currentTimeMillis();
    long sequence = sequenceAndHad.getKey();
    if (!any) {
      any = true;
      line("first " + setupMillis + " " + millis);
    }
    if (sequence < fill) {
      // Once past the fill here, the other source subtasks' last fill elements may still come.
      if (++filled % 10_000 == 0 || past) {
        line("filled " + filled);
      }
      return;
    }
    if (!past) {
      past = true;
      line("filled " + filled);
    }
    line("past " + sequence + " " + sequenceAndHad.getValue() + " " + millis);
  }

  private void line(String text) {
    try {
      out.write(text);
      out.newLine();
      // The benchmark reads the file while the job runs; a killed worker's last lines may be lost.
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Teardown
  public void teardown() throws IOException {
    if (out != null) {
      out.close();
    }
  }
}
