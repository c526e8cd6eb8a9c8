package dev.weir.portability;

import static org.junit.Assert.assertEquals;

import dev.weir.runner.WeirPipelineOptions;
import dev.weir.runner.WeirRunner;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.construction.PipelineOptionsTranslation;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.Struct;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.Value;
import org.junit.Test;

public class JobOptionsTest {

  /** Options as Java's PortableRunner sends them: its own runner class, absent from this JVM. */
  private static Struct submittedWithRunner(String runnerClass) {
    Struct options =
        PipelineOptionsTranslation.toProto(
            PipelineOptionsFactory.fromArgs("--parallelism=3", "--jobName=foreign").create());
    return options.toBuilder()
        .putFields(
            JobOptions.RUNNER_KEY, Value.newBuilder().setStringValue(runnerClass).build())
        .build();
  }

  @Test
  public void aSubmittersRunnerClassThatThisJvmLacksDoesNotBreakTheOptionsTheEngineSerializes() {
    WeirPipelineOptions options =
        JobOptions.of(
            submittedWithRunner("org.apache.beam.runners.portability.testing.TestUniversalRunner"));

    // What the engine does with them before deploying (JobCoordinator.prepare): this threw
    // "Failed to serialize PipelineOptions" (ClassNotFoundException) before the runner was dropped.
    WeirPipelineOptions copy =
        new SerializablePipelineOptions(options).get().as(WeirPipelineOptions.class);

    assertEquals(WeirRunner.class, copy.getRunner());
    assertEquals(Integer.valueOf(3), copy.getParallelism());
    assertEquals("foreign", copy.getJobName());
  }
}
