package dev.weir.runner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import com.google.protobuf.ByteString;
import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.PipelineTranslator;
import dev.weir.translation.TransformOverrides;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.junit.Test;

public class PlanFingerprintTest {

  private static ExecutionPlan plan(String countName, int parallelism, String jobName) {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline.apply("Words", Create.of("a", "b", "a")).apply(countName, Count.perElement());
    TransformOverrides.apply(pipeline);
    return PipelineTranslator.translate(pipeline, jobName, parallelism, 128);
  }

  @Test
  public void theSamePipelineHasTheSameFingerprintAtAnyParallelismAndJobName() {
    ByteString two = PlanFingerprint.of(plan("CountWords", 2, "first"));
    assertEquals(32, two.size());
    assertEquals(two, PlanFingerprint.of(plan("CountWords", 2, "first")));
    assertEquals(two, PlanFingerprint.of(plan("CountWords", 7, "second")));
  }

  @Test
  public void renamingATransformChangesTheFingerprint() {
    assertNotEquals(
        PlanFingerprint.of(plan("CountWords", 2, "job")),
        PlanFingerprint.of(plan("CountTokens", 2, "job")));
  }
}
