package dev.weir.examples;

import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Keys;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Recommendation features: interaction lines {@code time,user,item} in; out, per sliding window
 * of {@code size} every {@code period} and per (user, item) pair that interacted in it, a feature
 * row {@code windowStart,windowEnd,user,item,userEvents,itemEvents,pairEvents}: the window's
 * interactions of the user, of the item, and of the two together.
 *
 * <p>The three counts are computed apart and joined: the pair counts with the user counts by user,
 * then with the item counts by item.
 */
public final class JoinFeatureRows extends PTransform<PCollection<String>, PCollection<String>> {
  private static final TupleTag<KV<String, Long>> PAIRS = new TupleTag<>();
  private static final TupleTag<Long> USER = new TupleTag<>();
  private static final TupleTag<KV<String, KV<Long, Long>>> PARTIAL_ROWS = new TupleTag<>();
  private static final TupleTag<Long> ITEM = new TupleTag<>();

  private final Duration size;
  private final Duration period;

  public JoinFeatureRows(Duration size, Duration period) {
    this.size = size;
    this.period = period;
  }

  @Override
  public PCollection<String> expand(PCollection<String> lines) {
    PCollection<KV<String, String>> interactions =
        lines
            .apply("Windows", Window.into(SlidingWindows.of(size).every(period)))
            .apply(
                "UserAndItem",
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                    .via(
                        (String line) -> {
                          String[] fields = EventLine.fields(line);
                          return KV.of(fields[1], fields[2]);
                        }));
    PCollection<KV<String, Long>> perUser =
        interactions.apply("Users", Keys.create()).apply("CountPerUser", Count.perElement());
    PCollection<KV<String, Long>> perItem =
        interactions.apply("Items", Values.create()).apply("CountPerItem", Count.perElement());
    PCollection<KV<String, KV<String, Long>>> pairsByUser =
        interactions
            .apply("CountPerPair", Count.perElement())
            .apply(
                "ByUser",
                MapElements.into(
                        TypeDescriptors.kvs(
                            TypeDescriptors.strings(),
                            TypeDescriptors.kvs(
                                TypeDescriptors.strings(), TypeDescriptors.longs())))
                    .via(
                        (KV<KV<String, String>, Long> pair) ->
                            KV.of(
                                pair.getKey().getKey(),
                                KV.of(pair.getKey().getValue(), pair.getValue()))));

    PCollection<KV<String, KV<String, KV<Long, Long>>>> partialRowsByItem =
        KeyedPCollectionTuple.of(PAIRS, pairsByUser)
            .and(USER, perUser)
            .apply("JoinUserCounts", CoGroupByKey.create())
            .apply("ByItem", ParDo.of(new WithUserCountFn()));
    return KeyedPCollectionTuple.of(PARTIAL_ROWS, partialRowsByItem)
        .and(ITEM, perItem)
        .apply("JoinItemCounts", CoGroupByKey.create())
        .apply("Rows", ParDo.of(new RowFn()));
  }

  /** Per user: each (item, pair count) of theirs, keyed by item, with the user's count. */
  private static final class WithUserCountFn
      extends DoFn<KV<String, CoGbkResult>, KV<String, KV<String, KV<Long, Long>>>> {
    @ProcessElement
    public void process(
        @Element KV<String, CoGbkResult> joined,
        OutputReceiver<KV<String, KV<String, KV<Long, Long>>>> out) {
      String user = joined.getKey();
      long userEvents = joined.getValue().getOnly(USER);
      for (KV<String, Long> itemAndPairEvents : joined.getValue().getAll(PAIRS)) {
        out.output(
            KV.of(
                itemAndPairEvents.getKey(),
                KV.of(user, KV.of(userEvents, itemAndPairEvents.getValue()))));
      }
    }
  }

  /** Per item: a row for each user of it, with the item's count. */
  private static final class RowFn extends DoFn<KV<String, CoGbkResult>, String> {
    @ProcessElement
    public void process(
        @Element KV<String, CoGbkResult> joined, BoundedWindow window, OutputReceiver<String> out) {
      IntervalWindow interval = (IntervalWindow) window;
      String item = joined.getKey();
      long itemEvents = joined.getValue().getOnly(ITEM);
      for (KV<String, KV<Long, Long>> partial : joined.getValue().getAll(PARTIAL_ROWS)) {
        out.output(
            String.join(
                ",",
                interval.start().toString(),
                interval.end().toString(),
                partial.getKey(),
                item,
                Long.toString(partial.getValue().getKey()),
                Long.toString(itemEvents),
                Long.toString(partial.getValue().getValue())));
      }
    }
  }
}
