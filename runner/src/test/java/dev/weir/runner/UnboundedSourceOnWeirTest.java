package dev.weir.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;

public class UnboundedSourceOnWeirTest {

  /** Panes seen by the sink, per run of the test (the DoFn is serialized, so it is static). */
  private static final Map<String, ConcurrentLinkedQueue<Pane>> PANES = new ConcurrentHashMap<>();

  private static final class Pane {
    final long windowStart;
    final long count;
    final PaneInfo info;

    Pane(long windowStart, long count, PaneInfo info) {
      this.windowStart = windowStart;
      this.count = count;
      this.info = info;
    }
  }

  private static final class RecordPanes extends DoFn<KV<String, Long>, Void> {
    private final String run;

    RecordPanes(String run) {
      this.run = run;
    }

    @ProcessElement
    public void process(ProcessContext c, BoundedWindow window) {
      PANES
          .get(run)
          .add(
              new Pane(
                  ((IntervalWindow) window).start().getMillis(),
                  c.element().getValue(),
                  c.pane()));
    }
  }

  @Test
  public void rateLimitedUnboundedCountEmitsEarlyAndOnTimePanesUntilCancelled() throws Exception {
    String run = "run-" + System.nanoTime();
    PANES.put(run, new ConcurrentLinkedQueue<>());
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=WeirRunner").create());
    // 500 elements a second, each stamped with its own number in millis: event time runs at half
    // speed, and each 100 ms window holds exactly 100 elements.
    p.apply(
            GenerateSequence.from(0)
                .withRate(500, Duration.standardSeconds(1))
                .withTimestampFn(Instant::new))
        .apply(
            Window.<Long>into(FixedWindows.of(Duration.millis(100)))
                .triggering(
                    AfterWatermark.pastEndOfWindow()
                        .withEarlyFirings(AfterPane.elementCountAtLeast(30)))
                .withAllowedLateness(Duration.ZERO)
                .accumulatingFiredPanes())
        .apply(WithKeys.of("all"))
        .apply(Count.perKey())
        .apply(ParDo.of(new RecordPanes(run)));

    PipelineResult result = p.run();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (onTimePanes(run).size() < 5 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(PipelineResult.State.CANCELLED, result.cancel());

    List<Pane> onTime = onTimePanes(run);
    assertThat(onTime.size(), greaterThanOrEqualTo(5));
    for (Pane pane : onTime) {
      assertEquals("window at " + pane.windowStart, 100L, pane.count);
    }
    boolean sawEarly = false;
    for (Pane pane : PANES.get(run)) {
      if (pane.info.getTiming() == PaneInfo.Timing.EARLY) {
        sawEarly = true;
        // "At least 30": a trigger may fire later than the exact count, never earlier.
        assertTrue(pane.count >= 30 && pane.count <= 100);
      }
    }
    assertTrue("no early pane", sawEarly);
    PANES.remove(run);
  }

  private static List<Pane> onTimePanes(String run) {
    List<Pane> result = new ArrayList<>();
    for (Pane pane : PANES.get(run)) {
      if (pane.info.getTiming() == PaneInfo.Timing.ON_TIME) {
        result.add(pane);
      }
    }
    return result;
  }
}
