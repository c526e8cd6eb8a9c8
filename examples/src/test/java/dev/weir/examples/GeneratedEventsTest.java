package dev.weir.examples;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.beam.sdk.io.UnboundedSource.UnboundedReader;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.util.CoderUtils;
import org.joda.time.Instant;
import org.junit.Test;

public class GeneratedEventsTest {
  private static final PipelineOptions OPTIONS = PipelineOptionsFactory.create();
  private static final EventFormula FORMULA =
      index -> new Instant(1_000 * index) + ",key-" + index % 3;

  @Test
  public void splitsTogetherMakeEveryIndexOnceWhateverTheirCount() throws Exception {
    List<String> expected = new ArrayList<>();
    for (long i = 0; i < 10; i++) {
      expected.add(FORMULA.line(i));
    }
    Collections.sort(expected);
    for (int splits : new int[] {1, 3, 4}) {
      List<String> lines = new ArrayList<>();
      for (GeneratedEvents split :
          new GeneratedEvents(FORMULA, 1_000_000, 10).split(splits, OPTIONS)) {
        lines.addAll(readToEnd(split.createReader(OPTIONS, null)));
      }
      Collections.sort(lines);
      assertEquals("with " + splits + " splits", expected, lines);
    }
  }

  @Test
  public void watermarkIsTheNextEventsTimeThenTheEndOfTime() throws Exception {
    UnboundedReader<String> reader =
        new GeneratedEvents(FORMULA, 1_000_000, 2).createReader(OPTIONS, null);

    assertTrue(reader.start());
    assertEquals(new Instant(0), reader.getCurrentTimestamp());
    assertEquals(new Instant(1_000), reader.getWatermark());
    assertTrue(reader.advance());
    assertEquals(FORMULA.line(1), reader.getCurrent());
    assertFalse(reader.advance());
    assertEquals(BoundedWindow.TIMESTAMP_MAX_VALUE, reader.getWatermark());
  }

  @Test
  public void aReaderResumesAfterItsCheckpointMark() throws Exception {
    GeneratedEvents source = new GeneratedEvents(FORMULA, 1_000_000, 5);
    UnboundedReader<String> first = source.createReader(OPTIONS, null);
    assertTrue(first.start());
    assertTrue(first.advance());
    byte[] mark =
        CoderUtils.encodeToByteArray(
            source.getCheckpointMarkCoder(), (GeneratedEvents.Position) first.getCheckpointMark());

    UnboundedReader<String> resumed =
        source.createReader(
            OPTIONS, CoderUtils.decodeFromByteArray(source.getCheckpointMarkCoder(), mark));

    assertEquals(List.of(FORMULA.line(2), FORMULA.line(3), FORMULA.line(4)), readToEnd(resumed));
  }

  @Test
  public void aSplitMayMakeItsShareOfTheRateAfterAFirstBurst() {
    // 1000 a second over 4 splits: 250 a second each, a burst of 25 at the start.
    assertEquals(25, GeneratedEvents.due(0, 1000, 4));
    assertEquals(25 + 250, GeneratedEvents.due(1_000_000_000L, 1000, 4));
    assertEquals(25 + 125, GeneratedEvents.due(500_000_000L, 1000, 4));
    // 2 a second in one split: one at the start, the next after half a second.
    assertEquals(1, GeneratedEvents.due(499_999_999L, 2, 1));
    assertEquals(2, GeneratedEvents.due(500_000_000L, 2, 1));
  }

  /** Reads until the reader's watermark says the stream has ended. */
  private static List<String> readToEnd(UnboundedReader<String> reader) throws IOException {
    List<String> lines = new ArrayList<>();
    for (boolean available = reader.start(); ; available = reader.advance()) {
      if (available) {
        lines.add(reader.getCurrent());
      } else if (!reader.getWatermark().isBefore(BoundedWindow.TIMESTAMP_MAX_VALUE)) {
        return lines;
      }
    }
  }
}
