package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.memory.InMemoryKeyedStateBackend;
import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.GroupByKeyPlan;
import dev.weir.translation.OperatorPlan;
import dev.weir.translation.PipelineTranslator;
import dev.weir.translation.StagePlan;
import dev.weir.translation.TransformOverrides;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.beam.runners.core.metrics.MetricsContainerImpl;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.CrashingRunner;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterSynchronizedProcessingTime;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Test;

/**
 * A GroupByKey downstream of a processing-time trigger runs its continuation trigger, which fires
 * on synchronized processing time: the time every upstream subtask has reached. The local clock
 * running ahead must not fire it, or it fires before upstream panes of the same time arrived.
 */
public class GroupByKeyOperatorSynchronizedTimeTest {
  private static final int MAX_PARALLELISM = 128;

  private Instant processingTime = new Instant(1_000);
  private Instant synchronizedTime = new Instant(1_000);
  private final List<WindowedValue<?>> output = new ArrayList<>();

  @Test
  public void continuationTriggerFiresWhenSynchronizedTimePassesNotTheLocalClock() throws Exception {
    GroupByKeyOperator gbk = new GroupByKeyOperator(continuationGroupByKey());
    gbk.open(new Context());
    gbk.processElement(WindowedValues.valueInGlobalWindow(KV.of("k", 42)));
    gbk.finishBundle();

    processingTime = new Instant(5_000);
    gbk.advanceProcessingTime(processingTime);
    gbk.finishBundle();
    assertEquals(List.of(), output);
    assertEquals(new Instant(1_000), gbk.nextSynchronizedProcessingTimer());

    synchronizedTime = new Instant(1_001);
    gbk.advanceSynchronizedProcessingTime(synchronizedTime);
    gbk.finishBundle();
    assertEquals(1, output.size());
    assertTrue(output.get(0).getPaneInfo().isFirst());
    gbk.close();
  }

  /** The second of two GroupByKeys after a processing-time trigger, as translation plans it. */
  private static GroupByKeyPlan continuationGroupByKey() {
    PipelineOptions options = PipelineOptionsFactory.create();
    // The pipeline is only translated, never run.
    options.setRunner(CrashingRunner.class);
    Pipeline p = Pipeline.create(options);
    p.apply(Create.of(KV.of("k", 1)))
        .apply(
            Window.<KV<String, Integer>>configure()
                .triggering(Repeatedly.forever(AfterProcessingTime.pastFirstElementInPane()))
                .withAllowedLateness(Duration.ZERO)
                .accumulatingFiredPanes())
        .apply("First", GroupByKey.create())
        .apply(
            MapElements.via(
                new SimpleFunction<
                    KV<String, Iterable<Integer>>, KV<String, Integer>>() {
                  @Override
                  public KV<String, Integer> apply(KV<String, Iterable<Integer>> kv) {
                    return KV.of(kv.getKey(), 1);
                  }
                }))
        .apply("Second", GroupByKey.create());
    TransformOverrides.apply(p);
    ExecutionPlan plan = PipelineTranslator.translate(p, "test", 1, MAX_PARALLELISM);
    for (StagePlan stage : plan.stages()) {
      for (OperatorPlan operator : stage.operators()) {
        if (operator instanceof GroupByKeyPlan) {
          Trigger trigger = ((GroupByKeyPlan) operator).windowingStrategy().getTrigger();
          if (trigger instanceof Repeatedly
              && ((Repeatedly) trigger).getRepeatedTrigger()
                  instanceof AfterSynchronizedProcessingTime) {
            return (GroupByKeyPlan) operator;
          }
        }
      }
    }
    throw new AssertionError("No GroupByKey with a continuation trigger in " + plan);
  }

  private final class Context implements OperatorContext {
    private final PipelineOptions options = PipelineOptionsFactory.create();
    private final MetricsContainerImpl metrics = new MetricsContainerImpl("step");

    @Override
    public PipelineOptions pipelineOptions() {
      return options;
    }

    @Override
    public int subtaskIndex() {
      return 0;
    }

    @Override
    public int parallelism() {
      return 1;
    }

    @Override
    public int maxParallelism() {
      return MAX_PARALLELISM;
    }

    @Override
    public KeyGroupRange keyGroupRange() {
      return KeyGroupRange.forSubtask(0, 1, MAX_PARALLELISM);
    }

    @Override
    public Map<String, ElementReceiver> outputs() {
      return Map.of("output", output::add);
    }

    @Override
    public KeyedStateBackend createStateBackend(Coder<? extends BoundedWindow> windowCoder) {
      return new InMemoryKeyedStateBackend(keyGroupRange());
    }

    @Override
    public MetricsContainerImpl metricsContainer() {
      return metrics;
    }

    @Override
    public Supplier<Instant> processingTime() {
      return () -> processingTime;
    }

    @Override
    public Supplier<Instant> synchronizedProcessingTime() {
      return () -> synchronizedTime;
    }
  }
}
