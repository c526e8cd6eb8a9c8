package dev.weir.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.OperatorPlan;
import dev.weir.translation.ParDoPlan;
import dev.weir.translation.PipelineTranslator;
import dev.weir.translation.StagePlan;
import dev.weir.translation.TransformOverrides;
import dev.weir.worker.task.TaskDeployment;
import dev.weir.worker.task.TaskListener;
import dev.weir.worker.task.WorkerGateway;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Test;

public class JobCoordinatorTest {
  private static final int PAYLOAD_BYTES = 4 << 20;
  private static final int PARALLELISM = 2;

  /** User code that carries a large value, as PAssert does with its expected elements. */
  private static class HeavyFn extends DoFn<Integer, Integer> {
    // Random, so that the plan's compression cannot shrink it.
    private final byte[] payload = new byte[PAYLOAD_BYTES];

    HeavyFn() {
      new Random(7).nextBytes(payload);
    }

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) {
      out.output(x + payload.length);
    }
  }

  private static class PassFn extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) {
      out.output(x);
    }
  }

  /** Takes deployments and runs nothing. */
  private static class RecordingWorker implements WorkerGateway {
    final List<TaskDeployment> deployed = new ArrayList<>();
    private final String name;

    RecordingWorker(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String exchangeAddress() {
      return "localhost:0";
    }

    @Override
    public synchronized void deploy(TaskDeployment deployment, TaskListener listener) {
      deployed.add(deployment);
    }

    @Override
    public void cancelJob(String jobId) {}
  }

  private static boolean runsHeavyFn(StagePlan stage) {
    for (OperatorPlan op : stage.operators()) {
      if (op instanceof ParDoPlan && ((ParDoPlan) op).doFn() instanceof HeavyFn) {
        return true;
      }
    }
    return false;
  }

  /**
   * A subtask gets the user code of its own stage only: with the whole plan in every deployment,
   * each subtask deserialized every stage's user code, and a job of many stages holding large
   * DoFns (PAssert's expected elements) ran out of heap.
   */
  @Test
  public void deploymentCarriesOnlyItsOwnStagesUserCode() {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Integer> numbers =
        pipeline.apply(Create.of(1, 2, 3)).apply("Heavy", ParDo.of(new HeavyFn()));
    for (int i = 0; i < 5; i++) {
      numbers =
          numbers
              .apply("Shuffle" + i, Reshuffle.viaRandomKey())
              .apply("Pass" + i, ParDo.of(new PassFn()));
    }
    TransformOverrides.apply(pipeline);
    ExecutionPlan plan = PipelineTranslator.translate(pipeline, "heavy", PARALLELISM, 128);
    RecordingWorker first = new RecordingWorker("first");
    RecordingWorker second = new RecordingWorker("second");
    JobCoordinator coordinator =
        new JobCoordinator("heavy-job", plan, List.of(first, second), () -> {});
    WeirPipelineOptions options = PipelineOptionsFactory.as(WeirPipelineOptions.class);
    options.setNoProgressTimeoutSeconds(0L);
    // The recording workers never end the job: no thread of its may outlive the test.
    options.setProgressLogSeconds(0L);

    coordinator.start(options);

    List<TaskDeployment> deployed = new ArrayList<>(first.deployed);
    deployed.addAll(second.deployed);
    assertThat(plan.stages().size(), greaterThan(5));
    assertEquals(plan.stages().size() * PARALLELISM, deployed.size());
    int heavy = 0;
    for (TaskDeployment d : deployed) {
      ExecutionPlan received =
          (ExecutionPlan)
              SerializableUtils.deserializeFromByteArray(d.serializedPlan(), "received plan");
      StagePlan own = received.stage(d.taskId().stage());
      assertEquals(plan.stage(d.taskId().stage()).operators().size(), own.operators().size());
      if (runsHeavyFn(own)) {
        heavy++;
        assertThat(d.serializedPlan().length, greaterThan(PAYLOAD_BYTES));
      } else {
        assertThat(d.serializedPlan().length, lessThan(PAYLOAD_BYTES / 4));
      }
      for (StagePlan other : received.stages()) {
        if (other.id() != own.id()) {
          assertTrue(other + " came along with " + own, other.operators().isEmpty());
          assertEquals(plan.stage(other.id()).parallelism(), other.parallelism());
        }
      }
    }
    assertEquals(PARALLELISM, heavy);
  }
}
