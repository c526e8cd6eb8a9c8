package dev.weir.state.memory;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.StateKey;
import dev.weir.state.TestKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.CombiningState;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.CombineWithContext.CombineFnWithContext;
import org.apache.beam.sdk.transforms.CombineWithContext.Context;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.joda.time.Instant;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The heap snapshot file: checksums, truncation, versions, skipping key groups, coder bytes. */
public class HeapSnapshotFileTest {
  private static final KeyGroupRange ALL = KeyGroupRange.of(0, TestKeys.MAX_PARALLELISM);
  private static final StateNamespace GLOBAL = StateNamespaces.global();
  private static final StateTag<ValueState<String>> VALUE =
      StateTags.value("value", StringUtf8Coder.of());

  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private Path snapshot;
  private Path file;

  /** A snapshot of 50 keys, each with a value, in many key groups. */
  @Before
  public void writeSnapshot() throws Exception {
    InMemoryKeyedStateBackend backend = new InMemoryKeyedStateBackend(ALL);
    for (int i = 0; i < 50; i++) {
      backend.stateInternals(TestKeys.of("key-" + i)).state(GLOBAL, VALUE).write("value-" + i);
    }
    snapshot = temp.getRoot().toPath().resolve("snapshot");
    backend.snapshot(snapshot);
    file = snapshot.resolve(HeapSnapshotFormat.FILE_NAME);
  }

  private InMemoryKeyedStateBackend restore(KeyGroupRange range, Path... snapshots) {
    return InMemoryKeyedStateBackend.restore(range, IntervalWindow.getCoder(), List.of(snapshots));
  }

  private void flipByteAt(long offset) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) offset] ^= 0x10;
    Files.write(file, bytes);
  }

  /** Offset of each key group's body, read by walking the section headers. */
  private Map<Integer, Long> bodyOffsets() throws Exception {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
    Map<Integer, Long> offsets = new LinkedHashMap<>();
    int position = HeapSnapshotFormat.HEADER_BYTES;
    while (bytes.getInt(position) != HeapSnapshotFormat.END_MARKER) {
      int length = bytes.getInt(position + 4);
      offsets.put(
          bytes.getInt(position), (long) position + HeapSnapshotFormat.SECTION_HEADER_BYTES);
      position += HeapSnapshotFormat.SECTION_HEADER_BYTES + length + 4;
    }
    return offsets;
  }

  private void assertRestoreFails(String... fragments) {
    HeapSnapshotException e =
        assertThrows(HeapSnapshotException.class, () -> restore(ALL, snapshot));
    assertThat(e.getMessage(), containsString(file.toString()));
    for (String fragment : fragments) {
      assertThat(e.getMessage(), containsString(fragment));
    }
  }

  @Test
  public void aFlippedByteInAKeyGroupFailsNamingTheFile() throws Exception {
    Map.Entry<Integer, Long> section = bodyOffsets().entrySet().iterator().next();
    flipByteAt(section.getValue() + 1);

    assertRestoreFails("Corrupt", "key group " + section.getKey());
  }

  @Test
  public void aFlippedByteInASectionHeaderFailsNamingTheFile() throws Exception {
    long body = bodyOffsets().values().iterator().next();
    flipByteAt(body - HeapSnapshotFormat.SECTION_HEADER_BYTES + 5);

    assertRestoreFails("Corrupt", "section header");
  }

  @Test
  public void aFlippedByteInTheFileHeaderFailsNamingTheFile() throws Exception {
    flipByteAt(13);

    assertRestoreFails("Corrupt", "file header");
  }

  @Test
  public void aTruncatedFileFailsNamingTheFile() throws Exception {
    byte[] whole = Files.readAllBytes(file);
    long firstBody = bodyOffsets().values().iterator().next();
    for (long length :
        new long[] {whole.length - 1, whole.length - 12, firstBody + 3, firstBody - 2, 10}) {
      Files.write(file, Arrays.copyOf(whole, (int) length));
      HeapSnapshotException e =
          assertThrows(HeapSnapshotException.class, () -> restore(ALL, snapshot));
      assertThat(
          "cut at " + length,
          e.getMessage(),
          allOf(containsString(file.toString()), containsString("Truncated")));
    }
  }

  @Test
  public void bytesAfterTheEndMarkerAreRefused() throws Exception {
    Files.write(file, new byte[] {0}, StandardOpenOption.APPEND);

    assertRestoreFails("after the end marker");
  }

  @Test
  public void anotherFormatVersionIsRefused() throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer header = ByteBuffer.wrap(bytes);
    header.putInt(8, HeapSnapshotFormat.VERSION + 1);
    header.putInt(20, HeapSnapshotFormat.crc32c(bytes, 0, 20));
    Files.write(file, bytes);

    assertRestoreFails("format version " + (HeapSnapshotFormat.VERSION + 1));
  }

  @Test
  public void aDirectoryWithoutTheFileIsRefused() throws Exception {
    Path empty = temp.newFolder("empty").toPath();

    HeapSnapshotException e = assertThrows(HeapSnapshotException.class, () -> restore(ALL, empty));
    assertThat(e.getMessage(), containsString(empty.toString()));
  }

  @Test
  public void keyGroupsOutOfRangeAreSkippedWithoutReadingTheirBodies() throws Exception {
    Map.Entry<Integer, Long> section = bodyOffsets().entrySet().iterator().next();
    int corrupted = section.getKey();
    flipByteAt(section.getValue() + 1);

    InMemoryKeyedStateBackend restored = restore(KeyGroupRange.of(corrupted + 1, 128), snapshot);

    int checked = 0;
    for (int i = 0; i < 50; i++) {
      StateKey key = TestKeys.of("key-" + i);
      if (key.keyGroup() > corrupted) {
        assertThat(
            restored.stateInternals(key).state(GLOBAL, VALUE).read(), equalTo("value-" + i));
        checked++;
      }
    }
    assertThat(checked, greaterThan(0));
  }

  @Test
  public void aKeyGroupInTwoSnapshotsIsRefused() {
    HeapSnapshotException e =
        assertThrows(HeapSnapshotException.class, () -> restore(ALL, snapshot, snapshot));
    assertThat(e.getMessage(), containsString("claimed by both"));
  }

  @Test
  public void stateIsStoredAsTheBytesOfItsCoderNeverJavaSerialization() throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    StringUtf8Coder.of().encode("value-7", expected);

    assertTrue(indexOf(bytes, expected.toByteArray()) >= 0);
    assertFalse(
        "Java serialization stream header",
        indexOf(bytes, new byte[] {(byte) 0xac, (byte) 0xed, 0x00, 0x05}) >= 0);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  public void stateDeclaredAsAnotherKindFailsWhenBound() {
    InMemoryKeyedStateBackend restored = restore(ALL, snapshot);
    StateTag<BagState<String>> sameIdAsBag = StateTags.bag("value", StringUtf8Coder.of());

    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> restored.stateInternals(TestKeys.of("key-3")).state(GLOBAL, sameIdAsBag));
    assertThat(
        e.getMessage(),
        allOf(containsString("'value'"), containsString("VALUE"), containsString("BAG")));
    // The restored bytes are kept: bound with its declared kind, the state is still there.
    assertThat(
        restored.stateInternals(TestKeys.of("key-3")).state(GLOBAL, VALUE).read(),
        equalTo("value-3"));
  }

  /** Adds inputs; its context is not used, but runners-core binds it through another path. */
  private static final class SumWithContext
      extends CombineFnWithContext<Integer, Integer, Integer> {
    @Override
    public Integer createAccumulator(Context c) {
      return 0;
    }

    @Override
    public Integer addInput(Integer accumulator, Integer input, Context c) {
      return accumulator + input;
    }

    @Override
    public Integer mergeAccumulators(Iterable<Integer> accumulators, Context c) {
      int sum = 0;
      for (int a : accumulators) {
        sum += a;
      }
      return sum;
    }

    @Override
    public Integer extractOutput(Integer accumulator, Context c) {
      return accumulator;
    }
  }

  @Test
  public void combiningStateWithContextRoundTrips() throws Exception {
    StateTag<CombiningState<Integer, Integer, Integer>> sum =
        StateTags.combiningValueWithContext("sum", VarIntCoder.of(), new SumWithContext());
    InMemoryKeyedStateBackend backend = new InMemoryKeyedStateBackend(ALL);
    StateKey key = TestKeys.of("key");
    backend.stateInternals(key).state(GLOBAL, sum).add(4);
    backend.stateInternals(key).state(GLOBAL, sum).add(5);
    Path target = temp.getRoot().toPath().resolve("with-context");
    backend.snapshot(target);

    InMemoryKeyedStateBackend restored = restore(ALL, target);

    assertThat(restored.stateInternals(key).state(GLOBAL, sum).read(), equalTo(9));
  }

  /** Refuses to encode: stands for a user coder that fails. */
  private static final class FailingCoder extends AtomicCoder<String> {
    @Override
    public void encode(String value, OutputStream out) throws IOException {
      throw new IOException("cannot encode " + value);
    }

    @Override
    public String decode(InputStream in) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  public void aSnapshotThatFailsLeavesNoTargetBehind() {
    InMemoryKeyedStateBackend backend = new InMemoryKeyedStateBackend(ALL);
    backend.stateInternals(TestKeys.of("key")).state(GLOBAL, VALUE).write("fine");
    backend
        .stateInternals(TestKeys.of("key"))
        .state(GLOBAL, StateTags.value("broken", new FailingCoder()))
        .write("x");
    Path target = temp.getRoot().toPath().resolve("failed");

    RuntimeException e = assertThrows(RuntimeException.class, () -> backend.snapshot(target));
    assertThat(e.getMessage(), containsString("'broken'"));
    assertFalse(Files.exists(target));
  }

  @Test
  public void aRestoredKeyReportsTheKeyTheWorkerAddressesItBy() {
    InMemoryKeyedStateBackend restored = restore(ALL, snapshot);

    assertThat(restored.stateInternals(TestKeys.of("key-4")).getKey(), equalTo("key-4"));
  }

  @Test
  public void restoredHoldsAreIndexedBeforeTheirKeyIsTouched() throws Exception {
    InMemoryKeyedStateBackend backend = new InMemoryKeyedStateBackend(ALL);
    backend
        .stateInternals(TestKeys.of("held"))
        .state(GLOBAL, StateTags.watermarkStateInternal("hold", TimestampCombiner.EARLIEST))
        .add(new Instant(42));
    Path target = temp.getRoot().toPath().resolve("holds");
    backend.snapshot(target);

    assertThat(restore(ALL, target).minWatermarkHold(), equalTo(new Instant(42)));
  }
}
