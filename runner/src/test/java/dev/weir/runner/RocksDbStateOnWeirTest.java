package dev.weir.runner;

import static org.junit.Assert.assertEquals;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class RocksDbStateOnWeirTest {
  @Rule public TemporaryFolder temp = new TemporaryFolder();

  /** Counts its key's elements in ValueState and emits the count when the window expires. */
  private static class CountPerKeyFn extends DoFn<KV<Long, Long>, KV<Long, Long>> {
    @StateId("count")
    private final StateSpec<ValueState<Long>> countSpec = StateSpecs.value(VarLongCoder.of());

    @TimerId("end")
    private final TimerSpec endSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    @ProcessElement
    public void process(
        @Element KV<Long, Long> element,
        @StateId("count") ValueState<Long> count,
        @TimerId("end") Timer end,
        BoundedWindow window) {
      Long current = count.read();
      count.write(current == null ? 1 : current + 1);
      end.set(window.maxTimestamp());
    }

    @OnTimer("end")
    public void onEnd(
        @Key Long key,
        @StateId("count") ValueState<Long> count,
        OutputReceiver<KV<Long, Long>> out) {
      out.output(KV.of(key, count.read()));
    }
  }

  @Test
  public void statefulParDoAndGroupByKeyKeepStateInRocksDbAndRemoveItsDirectory() throws Exception {
    File stateDir = temp.newFolder("state");
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=TestWeirRunner",
                    "--stateBackend=rocksdb",
                    "--stateDirectory=" + stateDir.getAbsolutePath())
                .create());
    PCollection<KV<Long, Long>> keyed =
        p.apply(GenerateSequence.from(0).to(30_000))
            .apply(
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.longs()))
                    .via((Long i) -> KV.of(i % 300, i)));
    PCollection<Long> counts =
        keyed
            .apply(ParDo.of(new CountPerKeyFn()))
            .apply(MapElements.into(TypeDescriptors.longs()).via(KV::getValue));
    PAssert.that(counts.apply("Total count", Sum.longsGlobally())).containsInAnyOrder(30_000L);
    PAssert.that(keyed.apply(Sum.longsPerKey()).apply("Values", MapElements.into(TypeDescriptors.longs()).via(KV::getValue)).apply("Total sum", Sum.longsGlobally()))
        .containsInAnyOrder(30_000L * 29_999L / 2);
    p.run().waitUntilFinish();

    try (Stream<Path> left = Files.list(stateDir.toPath())) {
      assertEquals(0, left.count());
    }
  }

  @Test
  public void aStatefulStepWithALongNameKeepsItsStateInRocksDb() throws Exception {
    // Beam names steps after their whole composite path, and some transforms put file paths or
    // configurations in their names: 300 characters is more than a file name may have.
    String longName = "Count per key in /tmp/a/deep/directory/" + "x".repeat(300);
    File stateDir = temp.newFolder("state");
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=TestWeirRunner",
                    "--stateBackend=rocksdb",
                    "--stateDirectory=" + stateDir.getAbsolutePath())
                .create());
    PCollection<Long> counts =
        p.apply(GenerateSequence.from(0).to(1_000))
            .apply(
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.longs()))
                    .via((Long i) -> KV.of(i % 10, i)))
            .apply(longName, ParDo.of(new CountPerKeyFn()))
            .apply(MapElements.into(TypeDescriptors.longs()).via(KV::getValue));
    PAssert.that(counts)
        .containsInAnyOrder(100L, 100L, 100L, 100L, 100L, 100L, 100L, 100L, 100L, 100L);
    p.run().waitUntilFinish();
  }
}
