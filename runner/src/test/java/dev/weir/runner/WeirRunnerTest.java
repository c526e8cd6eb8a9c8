package dev.weir.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Test;

public class WeirRunnerTest {

  private static Pipeline pipeline(String... args) {
    String[] all = Arrays.copyOf(args, args.length + 1);
    all[args.length] = "--runner=TestWeirRunner";
    PipelineOptions options = PipelineOptionsFactory.fromArgs(all).withValidation().create();
    return Pipeline.create(options);
  }

  @Test
  public void countsWordsAcrossStages() {
    Pipeline p = pipeline();
    PCollection<KV<String, Long>> counts =
        p.apply(Create.of(Arrays.asList("a", "b", "a", "c", "a", "b")))
            .apply(Count.perElement());
    PAssert.that(counts).containsInAnyOrder(KV.of("a", 3L), KV.of("b", 2L), KV.of("c", 1L));
    assertEquals(PipelineResult.State.DONE, p.run().waitUntilFinish());
  }

  @Test
  public void readsSideInputs() {
    Pipeline p = pipeline();
    PCollectionView<Integer> total =
        p.apply("Numbers", Create.of(1, 2, 3)).apply(Sum.integersGlobally().asSingletonView());
    PCollection<Integer> out =
        p.apply("Main", Create.of(10, 20))
            .apply(ParDo.of(new AddSideInput(total)).withSideInputs(total));
    PAssert.that(out).containsInAnyOrder(16, 26);
    p.run().waitUntilFinish();
  }

  private static class AddSideInput extends DoFn<Integer, Integer> {
    private final PCollectionView<Integer> total;

    AddSideInput(PCollectionView<Integer> total) {
      this.total = total;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      c.output(c.element() + c.sideInput(total));
    }
  }

  @Test
  public void userExceptionFailsTheJobWithItAsCause() {
    Pipeline p = pipeline();
    p.apply(Create.of(1, 2, 3))
        .apply(
            MapElements.into(TypeDescriptors.integers())
                .via(
                    (Integer x) -> {
                      if (x == 2) {
                        throw new IllegalStateException("boom on 2");
                      }
                      return x;
                    }));
    Pipeline.PipelineExecutionException e =
        assertThrows(Pipeline.PipelineExecutionException.class, () -> p.run());
    assertThat(e.getCause().getMessage(), containsString("boom on 2"));
  }

  @Test
  public void badOptionFailsAtRunNamingIt() {
    assertRunFailsNaming("--parallelism", "--parallelism=0");
  }

  @Test
  public void noEmbeddedWorkersFailsAtRunNamingTheOption() {
    assertRunFailsNaming("--embeddedWorkers", "--embeddedWorkers=0");
  }

  @Test
  public void anUnknownStateBackendFailsAtRunNamingTheOption() {
    assertRunFailsNaming("--stateBackend", "--stateBackend=heap");
  }

  @Test
  public void aNegativeReadCacheFailsAtRunNamingTheOption() {
    assertRunFailsNaming("--rocksDbReadCacheMb", "--rocksDbReadCacheMb=-1");
  }

  private static void assertRunFailsNaming(String option, String arg) {
    Pipeline p = pipeline(arg);
    p.apply(Create.of(1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.run());
    assertThat(e.getMessage(), containsString(option));
  }

  @Test
  public void groupsManyKeysWithTheReadCacheOff() {
    groupsManyKeys(pipeline("--parallelism=3", "--rocksDbReadCacheMb=0"));
  }

  @Test
  public void groupsManyKeys() {
    groupsManyKeys(pipeline("--parallelism=3"));
  }

  private static void groupsManyKeys(Pipeline p) {
    List<Integer> values = new java.util.ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      values.add(i);
    }
    PCollection<KV<Integer, Integer>> sums =
        p.apply(Create.of(values))
            .apply(
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.integers(), TypeDescriptors.integers()))
                    .via((Integer x) -> KV.of(x % 10, 1)))
            .apply(Sum.integersPerKey());
    PAssert.that(sums)
        .containsInAnyOrder(
            KV.of(0, 1000), KV.of(1, 1000), KV.of(2, 1000), KV.of(3, 1000), KV.of(4, 1000),
            KV.of(5, 1000), KV.of(6, 1000), KV.of(7, 1000), KV.of(8, 1000), KV.of(9, 1000));
    p.run().waitUntilFinish();
  }

  @Test
  public void aJobWithoutCheckpointsReportsNoneAndNoRestartsAndRefusesASavepoint() {
    Pipeline p = pipeline();
    p.apply(org.apache.beam.sdk.transforms.Create.of(1, 2, 3))
        .apply(org.apache.beam.sdk.transforms.Count.globally());

    WeirPipelineResult result = (WeirPipelineResult) p.run();
    result.waitUntilFinish();

    org.junit.Assert.assertEquals(java.util.List.of(), result.checkpoints());
    org.junit.Assert.assertEquals(java.util.List.of(), result.restarts());
    IllegalStateException refused =
        org.junit.Assert.assertThrows(IllegalStateException.class, () -> result.savepoint(null));
    org.hamcrest.MatcherAssert.assertThat(
        refused.getMessage(), org.hamcrest.Matchers.containsString("--checkpointingInterval"));
  }
}
