package dev.weir.examples;

import java.io.Serializable;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Rate limiting and top N: request lines {@code time,client,path} in; per fixed window of event
 * time, the requests of each client are counted, and out come
 *
 * <ul>
 *   <li>{@code windowStart,over-limit,client,count} for each client with more than {@code limit}
 *       requests in the window;
 *   <li>{@code windowStart,top-r,client,count} for the {@code n} clients with the most requests in
 *       the window, {@code r} from 1; equal counts rank by client name.
 * </ul>
 */
public final class RankClients extends PTransform<PCollection<String>, PCollection<String>> {
  private final Duration window;
  private final long limit;
  private final int n;

  public RankClients(Duration window, long limit, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, not " + n);
    }
    this.window = window;
    this.limit = limit;
    this.n = n;
  }

  @Override
  public PCollection<String> expand(PCollection<String> requests) {
    PCollection<KV<String, Long>> counts =
        requests
            .apply("Windows", Window.into(FixedWindows.of(window)))
            .apply(
                "Client",
                MapElements.into(TypeDescriptors.strings())
                    .via((String line) -> EventLine.fields(line)[1]))
            .apply("CountPerClient", Count.perElement());
    long over = limit;
    PCollection<String> overLimit =
        counts
            .apply("OverLimit", Filter.by((KV<String, Long> count) -> count.getValue() > over))
            .apply("FormatOverLimit", ParDo.of(new FormatFn("over-limit")));
    PCollection<String> top =
        counts
            .apply("TopN", Top.of(n, new ByCountThenName()).withoutDefaults())
            .apply("FormatTop", ParDo.of(new FormatRanksFn()));
    return PCollectionList.of(overLimit).and(top).apply(Flatten.pCollections());
  }

  /** Larger count first; of equal counts, the earlier client name is the larger. */
  static final class ByCountThenName implements Comparator<KV<String, Long>>, Serializable {
    @Override
    public int compare(KV<String, Long> a, KV<String, Long> b) {
      int byCount = Long.compare(a.getValue(), b.getValue());
      return byCount != 0 ? byCount : b.getKey().compareTo(a.getKey());
    }
  }

  private static String start(BoundedWindow window) {
    return ((IntervalWindow) window).start().toString();
  }

  private static final class FormatFn extends DoFn<KV<String, Long>, String> {
    private final String kind;

    FormatFn(String kind) {
      this.kind = kind;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Long> count, BoundedWindow window, OutputReceiver<String> out) {
      out.output(start(window) + "," + kind + "," + count.getKey() + "," + count.getValue());
    }
  }

  private static final class FormatRanksFn extends DoFn<List<KV<String, Long>>, String> {
    @ProcessElement
    public void process(
        @Element List<KV<String, Long>> top, BoundedWindow window, OutputReceiver<String> out) {
      for (int r = 0; r < top.size(); r++) {
        KV<String, Long> count = top.get(r);
        out.output(
            start(window) + ",top-" + (r + 1) + "," + count.getKey() + "," + count.getValue());
      }
    }
  }
}
