package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.weir.state.KeyGroups;
import dev.weir.state.StateKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SpilledRunsTest {
  @Rule public final TemporaryFolder scratch = new TemporaryFolder();

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static final Coder<WindowedValue<Object>> CODER =
      (Coder) WindowedValues.getFullCoder(VarIntCoder.of(), IntervalWindow.getCoder());

  private static StateKey key(String key) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      StringUtf8Coder.of().encode(key, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return decode(bytes.toByteArray());
  }

  private static StateKey decode(byte[] bytes) {
    try {
      String key = StringUtf8Coder.of().decode(new ByteArrayInputStream(bytes));
      return new StateKey(bytes, key, KeyGroups.keyGroupFor(bytes, 128));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static WindowedValue<Object> value(int v) {
    return WindowedValues.of(
        (Object) v,
        new Instant(v),
        new IntervalWindow(new Instant(v), Duration.millis(10)),
        PaneInfo.NO_FIRING);
  }

  private static Map<StateKey, List<WindowedValue<Object>>> groups(Object... keysAndValues) {
    Map<StateKey, List<WindowedValue<Object>>> groups = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      groups
          .computeIfAbsent(key((String) keysAndValues[i]), k -> new ArrayList<>())
          .add(value((Integer) keysAndValues[i + 1]));
    }
    return groups;
  }

  private static String lines(Iterator<Map.Entry<StateKey, List<WindowedValue<Object>>>> merged) {
    StringBuilder out = new StringBuilder();
    while (merged.hasNext()) {
      Map.Entry<StateKey, List<WindowedValue<Object>>> group = merged.next();
      out.append(group.getKey().key()).append('=');
      out.append(
          group.getValue().stream()
              .map(v -> v.getValue() + "@" + v.getTimestamp().getMillis() + v.getWindows())
              .collect(Collectors.joining(",")));
      out.append(';');
    }
    return out.toString();
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> paths = Files.walk(scratch.getRoot().toPath())) {
      return paths.filter(Files::isRegularFile).collect(Collectors.toList());
    }
  }

  @Test
  public void eachKeyComesOnceInByteOrderWithItsValuesInArrivalOrderAcrossRunsAndMemory()
      throws IOException {
    SpilledRuns runs = new SpilledRuns(scratch.getRoot().toPath(), CODER, SpilledRunsTest::decode);
    runs.write(groups("b", 1, "a", 2, "b", 3));
    runs.write(groups("c", 4, "a", 5));
    assertEquals(5, runs.spilledValues());

    String merged = lines(runs.merged(groups("b", 6, "d", 7, "a", 8)));

    assertEquals(
        "a=2@2[[1970-01-01T00:00:00.002Z..1970-01-01T00:00:00.012Z)],"
            + "5@5[[1970-01-01T00:00:00.005Z..1970-01-01T00:00:00.015Z)],"
            + "8@8[[1970-01-01T00:00:00.008Z..1970-01-01T00:00:00.018Z)];"
            + "b=1@1[[1970-01-01T00:00:00.001Z..1970-01-01T00:00:00.011Z)],"
            + "3@3[[1970-01-01T00:00:00.003Z..1970-01-01T00:00:00.013Z)],"
            + "6@6[[1970-01-01T00:00:00.006Z..1970-01-01T00:00:00.016Z)];"
            + "c=4@4[[1970-01-01T00:00:00.004Z..1970-01-01T00:00:00.014Z)];"
            + "d=7@7[[1970-01-01T00:00:00.007Z..1970-01-01T00:00:00.017Z)];",
        merged);
    runs.close();
    assertEquals(List.of(), files());
  }

  @Test
  public void keysAreOrderedAsUnsignedBytes() {
    SpilledRuns runs = new SpilledRuns(scratch.getRoot().toPath(), CODER, SpilledRunsTest::decode);
    // "é" encodes to bytes above 0x7f, which a signed comparison would put before "z".
    runs.write(groups("é", 1, "z", 2));
    runs.write(groups("z", 3, "é", 4));

    String merged = lines(runs.merged(new LinkedHashMap<>()));

    assertTrue(merged, merged.startsWith("z=2@2"));
    assertTrue(merged, merged.contains(";é=1@1"));
    runs.close();
  }

  @Test
  public void nothingIsWrittenUntilTheFirstRunAndCloseDeletesUnreadRuns() throws IOException {
    SpilledRuns runs = new SpilledRuns(scratch.getRoot().toPath(), CODER, SpilledRunsTest::decode);
    assertTrue(runs.isEmpty());
    assertEquals(List.of(), files());

    runs.write(groups("a", 1));
    assertFalse(runs.isEmpty());
    assertEquals(1, files().size());

    runs.close();
    assertEquals(List.of(), files());
  }
}
