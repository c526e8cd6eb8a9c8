package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import dev.weir.translation.ParDoPlan;
import java.io.Closeable;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.WindowedValues;
import org.junit.Test;

/**
 * A DoFn's metrics go to its step's container while it processes an element, and whatever
 * container the thread had before is its container again afterwards, also when the DoFn fails.
 */
public class ParDoOperatorMetricsTest {
  static class CountingFn extends DoFn<String, String> {
    private final Counter seen = Metrics.counter("test", "seen");

    @ProcessElement
    public void process(@Element String element, OutputReceiver<String> out) {
      seen.inc();
      if (element.equals("fail")) {
        throw new IllegalStateException("failed on purpose");
      }
      out.output(element);
    }
  }

  @Test
  public void countsGoToTheStepsContainerAndTheThreadsContainerIsRestored() throws Exception {
    Pipeline p = ParDoPlans.pipeline();
    p.apply(Create.of("a")).apply("Fn", ParDo.of(new CountingFn()));
    ParDoPlan plan = ParDoPlans.named(p, "Fn");
    FakeOperatorContext context =
        new FakeOperatorContext(0, 1, element -> {}).withOutputTag(plan.mainOutputTag().getId());
    ParDoOperator op = new ParDoOperator(plan);
    op.open(context);
    MetricsContainerImpl outer = new MetricsContainerImpl("outer");
    try (Closeable scope = MetricsEnvironment.scopedMetricsContainer(outer)) {
      op.processElement(WindowedValues.valueInGlobalWindow("a"));
      op.processElement(WindowedValues.valueInGlobalWindow("b"));
      assertSame(outer, MetricsEnvironment.getCurrentContainer());
      try {
        op.processElement(WindowedValues.valueInGlobalWindow("fail"));
      } catch (RuntimeException expected) {
        // the DoFn's own failure
      }
      assertSame(outer, MetricsEnvironment.getCurrentContainer());
    }
    op.finishBundle();
    op.close();
    MetricName seen = MetricName.named("test", "seen");
    assertEquals(3L, (long) context.metricsContainer().getCounter(seen).getCumulative());
    assertEquals(0L, (long) outer.getCounter(seen).getCumulative());
  }
}
