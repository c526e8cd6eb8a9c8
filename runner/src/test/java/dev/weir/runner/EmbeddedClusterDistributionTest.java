package dev.weir.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.Assert.assertEquals;

import java.util.HashSet;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Test;

public class EmbeddedClusterDistributionTest {

  @Test
  public void multiStagePipelineRunsOnBothWorkersAndShufflesBetweenThem() {
    WeirPipelineOptions options =
        PipelineOptionsFactory.fromArgs(
                "--runner=WeirRunner", "--embeddedWorkers=2", "--parallelism=4")
            .as(WeirPipelineOptions.class);
    Pipeline p = Pipeline.create(options);
    PCollection<Long> totals =
        p.apply(GenerateSequence.from(0).to(20_000))
            .apply(
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.longs()))
                    .via((Long i) -> KV.of(i % 1000, 1L)))
            .apply(GroupByKey.create())
            .apply(
                MapElements.into(TypeDescriptors.longs())
                    .via((KV<Long, Iterable<Long>> kv) -> kv.getKey()))
            .apply(Count.globally());
    PAssert.thatSingleton(totals).isEqualTo(1000L);

    WeirPipelineResult result = (WeirPipelineResult) p.run();
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());

    Set<String> workers = new HashSet<>(result.placement().values());
    assertEquals(Set.of("worker-0", "worker-1"), workers);
    // 1000 keys over 4 subtasks on 2 workers: about half of the 20,000 grouped elements cross.
    assertThat(result.elementsBetweenWorkers(), greaterThan(5000L));
  }
}
