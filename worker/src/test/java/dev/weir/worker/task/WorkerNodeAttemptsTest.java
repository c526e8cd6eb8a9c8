package dev.weir.worker.task;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.PipelineTranslator;
import dev.weir.translation.StagePlan;
import dev.weir.translation.TransformOverrides;
import dev.weir.worker.exchange.ChannelId;
import dev.weir.worker.exchange.ChannelWriter;
import dev.weir.worker.exchange.DataExchange;
import dev.weir.worker.exchange.InputGate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.CrashingRunner;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Instant;
import org.junit.After;
import org.junit.Test;

/**
 * A restart on one worker: the subtasks of the old attempt and of the new one run side by side
 * (same stage, same index, another attempt), each with channels of its own attempt, and
 * cancelling the old attempt leaves the new one running.
 */
public class WorkerNodeAttemptsTest {
  private static final long WAIT_SECONDS = 60;

  private final QuietExchange exchange = new QuietExchange();
  private final WorkerNode worker =
      new WorkerNode("w", exchange, StateBackendFactory.inMemory(), Instant::now);
  private final BlockingQueue<TaskId> failed = new LinkedBlockingQueue<>();

  @After
  public void close() {
    worker.close();
  }

  @Test
  public void cancellingTheOldAttemptLeavesTheNewAttemptsSameSubtaskRunning() throws Exception {
    PipelineOptions options = PipelineOptionsFactory.create();
    // Only translated, never run by Beam.
    options.setRunner(CrashingRunner.class);
    Pipeline p = Pipeline.create(options);
    p.apply(Create.of(KV.of("k", 1))).apply(GroupByKey.create());
    TransformOverrides.apply(p);
    ExecutionPlan plan = PipelineTranslator.translate(p, "test", 1, 16);
    StagePlan consumer = null;
    for (StagePlan stage : plan.stages()) {
      if (!stage.inputEdges().isEmpty()) {
        consumer = stage;
      }
    }
    Map<Integer, List<String>> addresses = new HashMap<>();
    for (StagePlan stage : plan.stages()) {
      addresses.put(stage.id(), List.of(exchange.address()));
    }
    byte[] stagePlan = SerializableUtils.serializeToByteArray(plan.forStage(consumer.id()));
    TaskId old = new TaskId("job", consumer.id(), 0, 0);
    TaskId next = new TaskId("job", consumer.id(), 0, 1);

    worker.deploy(
        new TaskDeployment(old, stagePlan, addresses, new SerializablePipelineOptions(options)),
        listener());
    worker.deploy(
        new TaskDeployment(next, stagePlan, addresses, new SerializablePipelineOptions(options)),
        listener());
    awaitRunning(2);
    worker.cancelAttempt("job", 0);

    assertEquals(old, failed.poll(WAIT_SECONDS, TimeUnit.SECONDS));
    assertEquals(List.of("abort job attempt 0"), exchange.aborts);
    List<SubtaskProgress> progress = worker.progress("job");
    assertEquals(1, progress.size());
    assertEquals(next, progress.get(0).task());
    // Each attempt's gate reads its own attempt's channels.
    for (List<ChannelId> gate : exchange.gates) {
      assertFalse(gate.isEmpty());
      int attempt = gate.get(0).attempt();
      assertTrue(gate.stream().allMatch(c -> c.attempt() == attempt));
    }
    assertEquals(2, exchange.gates.stream().map(g -> g.get(0).attempt()).distinct().count());

    worker.cancelAttempt("job", 1);
    assertEquals(next, failed.poll(WAIT_SECONDS, TimeUnit.SECONDS));
  }

  private void awaitRunning(int gates) throws InterruptedException {
    long deadline = System.currentTimeMillis() + WAIT_SECONDS * 1000;
    while (exchange.gates.size() < gates) {
      assertTrue("Subtasks never opened their gates", System.currentTimeMillis() < deadline);
      Thread.sleep(5);
    }
  }

  private TaskListener listener() {
    return new TaskListener() {
      @Override
      public void taskFinished(TaskId task, SubtaskSummary summary) {
        throw new AssertionError(task + " cannot finish: its input never ends");
      }

      @Override
      public void taskFailed(TaskId task, Throwable cause, SubtaskSummary summary) {
        failed.add(task);
      }
    };
  }

  /** An exchange whose gates never deliver anything; it records what is opened and aborted. */
  private static final class QuietExchange implements DataExchange {
    final List<List<ChannelId>> gates = Collections.synchronizedList(new ArrayList<>());
    final List<String> aborts = Collections.synchronizedList(new ArrayList<>());

    @Override
    public String address() {
      return "127.0.0.1:1";
    }

    @Override
    public InputGate openGate(List<ChannelId> channels) {
      gates.add(List.copyOf(channels));
      return new InputGate() {
        @Override
        public List<ChannelId> channels() {
          return channels;
        }

        @Override
        public GateEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
          unit.sleep(timeout);
          return null;
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public ChannelWriter openWriter(ChannelId channel, String consumerAddress) {
      throw new UnsupportedOperationException("the stage under test has no output edge");
    }

    @Override
    public void abortJob(String jobId) {
      aborts.add("abort " + jobId);
    }

    @Override
    public void abortAttempt(String jobId, int attempt) {
      aborts.add("abort " + jobId + " attempt " + attempt);
    }

    @Override
    public void close() {}
  }
}
