package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.memory.InMemoryKeyedStateBackend;
import dev.weir.state.rocksdb.RocksDbStateBackendFactory;
import dev.weir.translation.ParDoPlan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A {@code @RequiresStableInput} DoFn in a job with checkpoints sees an element only after the
 * checkpoint covering it (taken at the first barrier after it) has completed; its buffered input
 * survives a snapshot and restore, also at another parallelism.
 */
public class ParDoOperatorStableInputTest {
  @Rule public final TemporaryFolder folder = new TemporaryFolder();

  static class StableFn extends DoFn<String, String> {
    @RequiresStableInput
    @ProcessElement
    public void process(@Element String element, OutputReceiver<String> out) {
      out.output(element);
    }
  }

  static class PlainFn extends DoFn<String, String> {
    @ProcessElement
    public void process(@Element String element, OutputReceiver<String> out) {
      out.output(element);
    }
  }

  /** Counts per key in state, so keyed state and stable input meet. */
  static class StableCountFn extends DoFn<KV<String, Integer>, KV<String, Integer>> {
    @StateId("count")
    private final StateSpec<ValueState<Integer>> count = StateSpecs.value(VarIntCoder.of());

    @RequiresStableInput
    @ProcessElement
    public void process(
        @Element KV<String, Integer> element,
        @StateId("count") ValueState<Integer> count,
        OutputReceiver<KV<String, Integer>> out) {
      Integer seen = count.read();
      int now = (seen == null ? 0 : seen) + element.getValue();
      count.write(now);
      out.output(KV.of(element.getKey(), now));
    }
  }

  private static ParDoPlan plan(DoFn<String, String> fn) {
    Pipeline p = ParDoPlans.pipeline();
    p.apply(Create.of("a")).apply("Fn", ParDo.of(fn));
    return ParDoPlans.named(p, "Fn");
  }

  private static ParDoPlan keyedPlan() {
    Pipeline p = ParDoPlans.pipeline();
    p.apply(Create.of(KV.of("a", 1)).withCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of())))
        .apply("Count", ParDo.of(new StableCountFn()));
    return ParDoPlans.named(p, "Count");
  }

  private static WindowedValue<String> at(String value, long millis) {
    return WindowedValues.timestampedValueInGlobalWindow(value, new Instant(millis));
  }

  private static List<Object> values(List<WindowedValue<?>> output) {
    List<Object> values = new ArrayList<>();
    output.forEach(v -> values.add(v.getValue()));
    return values;
  }

  private static FakeOperatorContext context(
      ParDoPlan plan, int subtask, int parallelism, List<WindowedValue<?>> output) {
    return new FakeOperatorContext(subtask, parallelism, output::add)
        .withOutputTag(plan.mainOutputTag().getId());
  }

  @Test
  public void elementsReachTheDoFnOnlyWhenTheCheckpointCoveringThemCompletes() throws Exception {
    ParDoPlan plan = plan(new StableFn());
    List<WindowedValue<?>> output = new ArrayList<>();
    ParDoOperator op = new ParDoOperator(plan);
    op.open(context(plan, 0, 1, output).withCheckpointing());

    op.processElement(at("a", 10));
    op.processElement(at("b", 5));
    op.finishBundle();
    assertEquals(List.of(), output);
    // Waiting elements hold the watermark.
    assertEquals(new Instant(5), op.watermarkHold());

    op.snapshotState(1);
    op.processElement(at("c", 20));
    op.finishBundle();
    assertEquals(List.of(), output);

    op.notifyCheckpointComplete(1);
    assertEquals(List.of("a", "b"), values(output));
    assertEquals(new Instant(20), op.watermarkHold());

    // "c" came after barrier 1: checkpoint 2 covers it, and 2 is not taken yet.
    op.notifyCheckpointComplete(1);
    assertEquals(List.of("a", "b"), values(output));

    op.snapshotState(2);
    op.snapshotState(3);
    op.processElement(at("d", 30));
    op.notifyCheckpointComplete(3);
    assertEquals(List.of("a", "b", "c"), values(output));
    assertEquals(new Instant(30), op.watermarkHold());
    op.close();
  }

  @Test
  public void aDoFnWithoutTheAnnotationSeesElementsAtOnceEvenWithCheckpoints() throws Exception {
    ParDoPlan plan = plan(new PlainFn());
    List<WindowedValue<?>> output = new ArrayList<>();
    ParDoOperator op = new ParDoOperator(plan);
    op.open(context(plan, 0, 1, output).withCheckpointing());

    op.processElement(at("a", 10));
    assertEquals(List.of("a"), values(output));
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, op.watermarkHold());
    op.close();
  }

  @Test
  public void withoutCheckpointsAStableInputDoFnSeesElementsAtOnce() throws Exception {
    ParDoPlan plan = plan(new StableFn());
    List<WindowedValue<?>> output = new ArrayList<>();
    ParDoOperator op = new ParDoOperator(plan);
    op.open(context(plan, 0, 1, output));

    op.processElement(at("a", 10));
    assertEquals(List.of("a"), values(output));
    assertEquals(Map.of(), op.snapshotState(1));
    op.close();
  }

  @Test
  public void theEndOfTheInputReleasesWhatWaits() throws Exception {
    ParDoPlan plan = plan(new StableFn());
    List<WindowedValue<?>> output = new ArrayList<>();
    ParDoOperator op = new ParDoOperator(plan);
    op.open(context(plan, 0, 1, output).withCheckpointing());

    op.processElement(at("a", 10));
    op.snapshotState(1);
    op.processElement(at("b", 10));
    op.advanceInputWatermark(new Instant(100));
    assertEquals(List.of(), output);

    op.advanceInputWatermark(BoundedWindow.TIMESTAMP_MAX_VALUE);
    assertEquals(List.of("a", "b"), values(output));
    op.close();
  }

  /** Buffers elements in subtask {@code subtask} of {@code parallelism} and snapshots them. */
  private Map<String, byte[]> bufferAndSnapshot(
      ParDoPlan plan, int subtask, int parallelism, List<String> elements, long checkpointId)
      throws Exception {
    List<WindowedValue<?>> output = new ArrayList<>();
    ParDoOperator op = new ParDoOperator(plan);
    op.open(context(plan, subtask, parallelism, output).withCheckpointing());
    for (String element : elements) {
      op.processElement(at(element, 1));
    }
    op.finishBundle();
    Map<String, byte[]> entries = op.snapshotState(checkpointId);
    op.close();
    assertEquals(List.of(), output);
    return entries;
  }

  /** Opens subtask {@code subtask} of {@code parallelism} on {@code entries}; returns its output. */
  private static List<Object> restoreAndComplete(
      ParDoPlan plan, int subtask, int parallelism, Map<String, byte[]> entries) throws Exception {
    List<WindowedValue<?>> output = new ArrayList<>();
    ParDoOperator op = new ParDoOperator(plan);
    op.open(context(plan, subtask, parallelism, output).withCheckpointing().withRestoredEntries(entries));
    assertEquals(List.of(), output);
    op.snapshotState(8);
    op.notifyCheckpointComplete(8);
    op.close();
    return values(output);
  }

  @Test
  public void bufferedElementsComeBackFromASnapshotOnceAtAnyParallelism() throws Exception {
    ParDoPlan plan = plan(new StableFn());
    Map<String, byte[]> entries = new HashMap<>();
    entries.putAll(bufferAndSnapshot(plan, 0, 2, List.of("a", "b"), 7));
    entries.putAll(bufferAndSnapshot(plan, 1, 2, List.of("c"), 7));
    assertEquals(2, entries.size());

    // Same parallelism: each subtask gets its own back.
    assertEquals(List.of("a", "b"), restoreAndComplete(plan, 0, 2, entries));
    assertEquals(List.of("c"), restoreAndComplete(plan, 1, 2, entries));

    // Fewer subtasks: one takes both.
    assertEquals(List.of("a", "b", "c"), restoreAndComplete(plan, 0, 1, entries));

    // More subtasks: each old buffer goes to exactly one of them.
    List<Object> all = new ArrayList<>();
    for (int subtask = 0; subtask < 3; subtask++) {
      all.addAll(restoreAndComplete(plan, subtask, 3, entries));
    }
    all.sort(null);
    assertEquals(List.of("a", "b", "c"), all);
  }

  @Test
  public void restoredElementsWaitForTheNextCompletedCheckpoint() throws Exception {
    ParDoPlan plan = plan(new StableFn());
    Map<String, byte[]> entries = bufferAndSnapshot(plan, 0, 1, List.of("a"), 7);
    List<WindowedValue<?>> output = new ArrayList<>();
    ParDoOperator op = new ParDoOperator(plan);
    op.open(context(plan, 0, 1, output).withCheckpointing().withRestoredEntries(entries));
    op.processElement(at("b", 2));
    assertEquals(new Instant(1), op.watermarkHold());

    // The next snapshot still holds the restored element, so a second failure keeps it too.
    Map<String, byte[]> again = op.snapshotState(8);
    assertEquals(List.of("a", "b"), restoreAndComplete(plan, 0, 1, again));

    op.notifyCheckpointComplete(8);
    assertEquals(List.of("a", "b"), values(output));
    op.close();
  }

  private static WindowedValue<KV<String, Integer>> kv(String key, int value) {
    return WindowedValues.timestampedValueInGlobalWindow(KV.of(key, value), new Instant(1));
  }

  private static int keyGroupOf(ParDoPlan plan, String key) {
    return new CurrentKey(null, plan.keyCoder(), ParDoPlans.MAX_PARALLELISM, null)
        .encode(key)
        .keyGroup();
  }

  /** Creates a backend for a range, and restores one for a range from snapshot directories. */
  interface Backends {
    KeyedStateBackend create(KeyGroupRange range);

    KeyedStateBackend restore(KeyGroupRange range, List<Path> snapshots);
  }

  @Test
  public void keyedStableInputWaitsInTheKeysHeapStateAndMovesWithItsKeyGroup() throws Exception {
    keyedStableInputMovesWithItsKeyGroup(
        new Backends() {
          @Override
          public KeyedStateBackend create(KeyGroupRange range) {
            return new InMemoryKeyedStateBackend(range);
          }

          @Override
          public KeyedStateBackend restore(KeyGroupRange range, List<Path> snapshots) {
            return InMemoryKeyedStateBackend.restore(range, GlobalWindow.Coder.INSTANCE, snapshots);
          }
        });
  }

  @Test
  public void keyedStableInputWaitsInTheKeysRocksDbStateAndMovesWithItsKeyGroup()
      throws Exception {
    try (RocksDbStateBackendFactory rocksDb =
        new RocksDbStateBackendFactory(folder.newFolder("rocksdb").toPath(), 8 << 20, 8 << 20)) {
      keyedStableInputMovesWithItsKeyGroup(
          new Backends() {
            @Override
            public KeyedStateBackend create(KeyGroupRange range) {
              return rocksDb.create("count", 0, range, GlobalWindow.Coder.INSTANCE);
            }

            @Override
            public KeyedStateBackend restore(KeyGroupRange range, List<Path> snapshots) {
              return rocksDb.restore("count", 1, range, GlobalWindow.Coder.INSTANCE, snapshots);
            }
          });
    }
  }

  private void keyedStableInputMovesWithItsKeyGroup(Backends backends) throws Exception {
    ParDoPlan plan = keyedPlan();
    List<WindowedValue<?>> output = new ArrayList<>();
    ParDoOperator op = new ParDoOperator(plan);
    KeyedStateBackend backend =
        backends.create(KeyGroupRange.forSubtask(0, 1, ParDoPlans.MAX_PARALLELISM));
    op.open(context(plan, 0, 1, output).withCheckpointing().withStateBackend(backend));
    List<String> keys = List.of("k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8");
    for (String key : keys) {
      op.processElement(kv(key, 1));
    }
    op.snapshotState(1);
    op.notifyCheckpointComplete(1);
    assertEquals(keys.size(), output.size());
    output.clear();

    // Second round: buffered in state when checkpoint 2 is taken.
    for (String key : keys) {
      op.processElement(kv(key, 10));
    }
    op.finishBundle();
    Map<String, byte[]> entries = op.snapshotState(2);
    Path snapshot = folder.getRoot().toPath().resolve("backend-2");
    backend.snapshot(snapshot);
    assertEquals(List.of(), output);
    op.close();

    // Restore at parallelism 2: each key's buffered element and count come back exactly once.
    Map<String, Integer> counts = new HashMap<>();
    for (int subtask = 0; subtask < 2; subtask++) {
      KeyGroupRange range = KeyGroupRange.forSubtask(subtask, 2, ParDoPlans.MAX_PARALLELISM);
      List<WindowedValue<?>> restoredOutput = new ArrayList<>();
      ParDoOperator restored = new ParDoOperator(plan);
      restored.open(
          context(plan, subtask, 2, restoredOutput)
              .withCheckpointing()
              .withRestoredEntries(entries)
              .withStateBackend(backends.restore(range, List.of(snapshot))));
      restored.snapshotState(3);
      assertEquals(List.of(), restoredOutput);
      restored.notifyCheckpointComplete(3);
      for (WindowedValue<?> v : restoredOutput) {
        @SuppressWarnings("unchecked")
        KV<String, Integer> count = (KV<String, Integer>) v.getValue();
        assertTrue(range.contains(keyGroupOf(plan, count.getKey())));
        assertEquals(null, counts.put(count.getKey(), count.getValue()));
      }
      restored.close();
    }
    Map<String, Integer> expected = new HashMap<>();
    keys.forEach(k -> expected.put(k, 11));
    assertEquals(expected, counts);
  }
}
