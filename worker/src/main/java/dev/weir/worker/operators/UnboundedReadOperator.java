package dev.weir.worker.operators;

import dev.weir.translation.UnboundedReadPlan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.io.UnboundedSource.UnboundedReader;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Instant;

/**
 * Reads this subtask's share of an unbounded source's splits in a loop: a few elements from each
 * reader in turn, then the minimum of the readers' watermarks as the output watermark, ending a
 * bundle at least every few milliseconds so output is not held back. It runs until every reader's
 * watermark is at the end of time, or the job is cancelled.
 */
public final class UnboundedReadOperator implements StageOperator {
  private static final int MAX_PER_READER_TURN = 1_000;
  private static final long BUNDLE_MILLIS = 5;
  private static final long IDLE_SLEEP_MILLIS = 1;

  private final UnboundedReadPlan plan;
  private OperatorContext context;
  private ElementReceiver output;
  private final List<UnboundedReader<Object>> readers = new ArrayList<>();

  public UnboundedReadOperator(UnboundedReadPlan plan) {
    this.plan = plan;
  }

  @Override
  public void open(OperatorContext context) {
    this.context = context;
    this.output = context.outputs().values().iterator().next();
  }

  @Override
  @SuppressWarnings("unchecked")
  public void start(SourceControl control) {
    try (AutoCloseable scope =
        MetricsEnvironment.scopedMetricsContainer(context.metricsContainer())) {
      List<? extends UnboundedSource<?, ?>> splits =
          plan.source().split(context.parallelism(), context.pipelineOptions());
      for (int i = context.subtaskIndex(); i < splits.size(); i += context.parallelism()) {
        readers.add(
            (UnboundedReader<Object>)
                splits.get(i).createReader(context.pipelineOptions(), null));
      }
      read(control);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Reading " + plan.name() + " was cancelled", e);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("Reading " + plan.name() + " failed", e);
    }
  }

  private void read(SourceControl control) throws IOException, InterruptedException {
    boolean[] started = new boolean[readers.size()];
    Instant emitted = BoundedWindow.TIMESTAMP_MIN_VALUE;
    long bundleStart = System.currentTimeMillis();
    while (true) {
      boolean any = false;
      for (int r = 0; r < readers.size(); r++) {
        UnboundedReader<Object> reader = readers.get(r);
        boolean available = started[r] ? reader.advance() : reader.start();
        started[r] = true;
        for (int n = 0; available; n++) {
          WindowedValue<Object> element =
              WindowedValues.timestampedValueInGlobalWindow(
                  reader.getCurrent(), reader.getCurrentTimestamp());
          output.accept(element);
          any = true;
          if (n + 1 == MAX_PER_READER_TURN) {
            break;
          }
          available = reader.advance();
        }
      }
      Instant watermark = BoundedWindow.TIMESTAMP_MAX_VALUE;
      for (UnboundedReader<Object> reader : readers) {
        Instant w = reader.getWatermark();
        if (w.isBefore(watermark)) {
          watermark = w;
        }
      }
      if (watermark.isAfter(emitted)) {
        emitted = watermark;
        control.advanceWatermark(watermark);
      }
      if (!watermark.isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)) {
        return;
      }
      long now = System.currentTimeMillis();
      if (now - bundleStart >= BUNDLE_MILLIS || !any) {
        bundleStart = now;
        control.endBundleOfSource();
        for (UnboundedReader<Object> reader : readers) {
          // Nothing is replayed yet (checkpoints are a later issue): what is read is consumed.
          reader.getCheckpointMark().finalizeCheckpoint();
        }
      }
      if (!any) {
        Thread.sleep(IDLE_SLEEP_MILLIS);
      }
    }
  }

  @Override
  public void processElement(WindowedValue<?> element) {
    throw new IllegalStateException("An unbounded read has no input");
  }

  @Override
  public void close() {
    for (UnboundedReader<Object> reader : readers) {
      try {
        reader.close();
      } catch (IOException e) {
        // Closing is best effort; the job is ending anyway.
      }
    }
    readers.clear();
  }
}
