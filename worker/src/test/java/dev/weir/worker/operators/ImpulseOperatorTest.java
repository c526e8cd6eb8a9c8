package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.values.WindowedValue;
import org.joda.time.Instant;
import org.junit.Test;

public class ImpulseOperatorTest {

  @Test
  public void emitsOnceAndItsSnapshotThenSaysSo() {
    List<WindowedValue<?>> emitted = new ArrayList<>();
    ImpulseOperator op = new ImpulseOperator();
    op.open(new FakeOperatorContext(0, 1, emitted::add));
    assertEquals(Map.of(), op.snapshotState(1));

    op.start(new NoControl());

    assertEquals(1, emitted.size());
    assertEquals(Set.of(ImpulseOperator.EMITTED), op.snapshotState(2).keySet());
  }

  @Test
  public void restoredFromASnapshotAfterItEmittedItEmitsNothing() {
    ImpulseOperator first = new ImpulseOperator();
    first.open(new FakeOperatorContext(0, 1, element -> {}));
    first.start(new NoControl());
    Map<String, byte[]> entries = first.snapshotState(1);
    List<WindowedValue<?>> emitted = new ArrayList<>();

    ImpulseOperator restored = new ImpulseOperator();
    restored.open(new FakeOperatorContext(0, 1, emitted::add).withRestoredEntries(entries));
    restored.start(new NoControl());

    assertEquals(List.of(), emitted);
    // And a later checkpoint still says it was emitted.
    assertEquals(entries.keySet(), restored.snapshotState(2).keySet());
  }

  @Test
  public void restoredFromASnapshotBeforeItEmittedItEmits() {
    List<WindowedValue<?>> emitted = new ArrayList<>();
    ImpulseOperator op = new ImpulseOperator();
    op.open(
        new FakeOperatorContext(0, 1, emitted::add)
            .withRestoredEntries(Map.of("split-0", new byte[] {1})));

    op.start(new NoControl());

    assertEquals(1, emitted.size());
  }

  @Test
  public void otherSubtasksEmitNothingAndHaveNoEntry() {
    List<WindowedValue<?>> emitted = new ArrayList<>();
    ImpulseOperator op = new ImpulseOperator();
    op.open(new FakeOperatorContext(1, 2, emitted::add));

    op.start(new NoControl());

    assertEquals(List.of(), emitted);
    assertEquals(Map.of(), op.snapshotState(1));
  }

  private static final class NoControl implements SourceControl {
    @Override
    public void advanceWatermark(Instant watermark) {}

    @Override
    public void advanceProcessingTime(Instant processingTime) {}

    @Override
    public void awaitQuiescence() {}

    @Override
    public void endBundleOfSource() {}
  }
}
