package dev.weir.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.runners.core.metrics.MonitoringInfoConstants;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.WithTimestamps;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * System metrics: each PCollection's element count, a counter named {@code
 * beam:metric:element_count:v1} in the PCollection's namespace. One bounded pipeline runs once for
 * most tests (a run costs seconds); each test checks one property of its metrics.
 */
public class ElementCountMetricsTest {
  private static final String ELEMENT_COUNT = MonitoringInfoConstants.Urns.ELEMENT_COUNT;
  private static final TupleTag<Integer> EVEN = new TupleTag<Integer>() {};
  private static final TupleTag<Integer> ODD = new TupleTag<Integer>() {};

  private static PipelineResult result;
  private static PCollection<Integer> numbers;
  private static PCollection<Integer> even;
  private static PCollection<Integer> odd;
  private static PCollection<KV<Integer, Integer>> keyed;
  private static PCollection<KV<Integer, Iterable<Integer>>> grouped;
  private static PCollection<KV<Integer, Integer>> shuffled;
  private static PCollection<Integer> flattened;
  private static PCollection<Integer> none;
  private static PCollection<Integer> stamped;
  private static PCollection<Integer> sliding;
  private static PCollection<Integer> perWindow;

  /**
   * 1..10 split into 5 even and 5 odd numbers; the odd ones keyed by x mod 3 (5 elements, 3 keys),
   * grouped (3) and reshuffled (5); even and odd flattened again (10); a filter that keeps none (0).
   * Apart from that, the numbers stamped a minute apart (10) in sliding windows of two minutes: each
   * in two windows (20), and once more after a DoFn that sees the window, which gets them one
   * window at a time (20).
   */
  @BeforeClass
  public static void runPipeline() {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs("--runner=TestWeirRunner").withValidation().create());
    numbers =
        p.apply(
            "Numbers",
            Create.of(IntStream.rangeClosed(1, 10).boxed().collect(Collectors.toList())));
    PCollectionTuple split =
        numbers.apply(
            "SplitEvenOdd", ParDo.of(new SplitEvenOdd()).withOutputTags(EVEN, TupleTagList.of(ODD)));
    even = split.get(EVEN);
    odd = split.get(ODD);
    keyed =
        odd.apply(
            "KeyByMod3",
            MapElements.into(
                    TypeDescriptors.kvs(TypeDescriptors.integers(), TypeDescriptors.integers()))
                .via((Integer x) -> KV.of(x % 3, x)));
    grouped = keyed.apply("Group", GroupByKey.create());
    shuffled = keyed.apply("Shuffle", Reshuffle.of());
    flattened = PCollectionList.of(even).and(odd).apply("Both", Flatten.pCollections());
    none = flattened.apply("KeepNone", Filter.by((Integer x) -> x > 100));
    stamped =
        numbers.apply("Stamp", WithTimestamps.of((Integer x) -> new Instant(x * 60_000L)));
    sliding =
        stamped.apply(
            "Slide",
            Window.into(
                SlidingWindows.of(Duration.standardMinutes(2)).every(Duration.standardMinutes(1))));
    perWindow = sliding.apply("SeeWindow", ParDo.of(new SeeWindow()));
    result = p.run();
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
  }

  /** Counts every element it sees in a user counter; even numbers to the main output. */
  private static class SplitEvenOdd extends DoFn<Integer, Integer> {
    private final Counter seen = Metrics.counter(ElementCountMetricsTest.class, "seen");

    @ProcessElement
    public void process(@Element Integer x, MultiOutputReceiver out) {
      seen.inc();
      out.get(x % 2 == 0 ? EVEN : ODD).output(x);
    }
  }

  /** Observes the window, so Beam's DoFn runner calls it once per window of an element. */
  private static class SeeWindow extends DoFn<Integer, Integer> {
    @ProcessElement
    public void process(@Element Integer x, BoundedWindow window, OutputReceiver<Integer> out) {
      out.output(x);
    }
  }

  /** The one element-count counter of {@code pc}. */
  private static MetricResult<Long> elementCount(PCollection<?> pc) {
    return single(result, MetricNameFilter.named(pc.getName(), ELEMENT_COUNT));
  }

  @Test
  public void elementCountOfEachPCollectionIsItsTrueSize() {
    assertEquals(10L, (long) elementCount(numbers).getAttempted());
    assertEquals(5L, (long) elementCount(even).getAttempted());
    assertEquals(5L, (long) elementCount(odd).getAttempted());
    assertEquals(5L, (long) elementCount(keyed).getAttempted());
    assertEquals(3L, (long) elementCount(grouped).getAttempted());
    assertEquals(10L, (long) elementCount(flattened).getAttempted());
  }

  @Test
  public void reshuffleOutputIsCountedOnceWhereTheExchangeDeliversIt() {
    assertEquals(5L, (long) elementCount(shuffled).getAttempted());
  }

  @Test
  public void elementInTwoWindowsCountsTwiceWhetherOrNotItsWindowsWereSplitApart() {
    assertEquals(10L, (long) elementCount(stamped).getAttempted());
    assertEquals(20L, (long) elementCount(sliding).getAttempted());
    assertEquals(20L, (long) elementCount(perWindow).getAttempted());
  }

  @Test
  public void pCollectionWithoutElementsReportsZero() {
    assertEquals(0L, (long) elementCount(none).getAttempted());
  }

  @Test
  public void committedElementCountsEqualAttemptedOnceTheJobSucceeded() {
    for (PCollection<?> pc :
        List.of(numbers, even, odd, keyed, grouped, shuffled, flattened, sliding, perWindow)) {
      MetricResult<Long> count = elementCount(pc);
      assertEquals(pc.getName(), count.getAttempted(), count.getCommitted());
    }
  }

  @Test
  public void elementCountIsInTheMetricsOfTheProducingStep() {
    MetricResult<Long> count = elementCount(even);
    assertEquals(even.getName(), count.getName().getNamespace());
    assertEquals("beam:metric:element_count:v1", count.getName().getName());
    assertThat(count.getKey().stepName(), containsString("SplitEvenOdd"));
    assertEquals("Shuffle", elementCount(shuffled).getKey().stepName());
  }

  @Test
  public void userCountersKeepTheirValuesBesideElementCounts() {
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace(ElementCountMetricsTest.class))
                    .build());
    List<MetricResult<Long>> counters = new ArrayList<>();
    metrics.getCounters().forEach(counters::add);
    assertEquals(1, counters.size());
    MetricResult<Long> seen = counters.get(0);
    assertEquals("seen", seen.getName().getName());
    assertEquals(10L, (long) seen.getAttempted());
    assertEquals(10L, (long) seen.getCommitted());
    for (MetricResult<Long> counter : result.metrics().allMetrics().getCounters()) {
      if (counter.getName().getName().equals(ELEMENT_COUNT)) {
        assertNotEquals(
            ElementCountMetricsTest.class.getName(), counter.getName().getNamespace());
      }
    }
  }

  /** Counts each element in a user counter and outputs it; the next step fails on 7. */
  private static class CountThenOutput extends DoFn<Integer, Integer> {
    private final Counter passed = Metrics.counter(ElementCountMetricsTest.class, "passed");

    @ProcessElement
    public void process(@Element Integer x, OutputReceiver<Integer> out) {
      passed.inc();
      out.output(x);
    }
  }

  @Test
  public void failedJobReportsElementCountsAsAttemptedJustLikeUserCounters() {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs("--runner=TestWeirRunner").withValidation().create());
    PCollection<Integer> passed =
        p.apply(Create.of(IntStream.rangeClosed(1, 10).boxed().collect(Collectors.toList())))
            .apply("CountThenOutput", ParDo.of(new CountThenOutput()));
    passed.apply(
        "FailOn7",
        MapElements.into(TypeDescriptors.integers())
            .via(
                (Integer x) -> {
                  if (x == 7) {
                    throw new IllegalStateException("seven");
                  }
                  return x;
                }));
    // TestWeirRunner waits, so run() itself throws; the result comes from the runner directly.
    WeirPipelineResult failed = WeirRunner.fromOptions(p.getOptions()).run(p);
    assertThrows(Pipeline.PipelineExecutionException.class, failed::waitUntilFinish);

    MetricResult<Long> elements =
        single(failed, MetricNameFilter.named(passed.getName(), ELEMENT_COUNT));
    MetricResult<Long> counted =
        single(failed, MetricNameFilter.named(ElementCountMetricsTest.class, "passed"));
    // Element 7 at least was counted by both before the failure.
    assertTrue(counted.getAttempted() >= 1);
    assertEquals(counted.getAttempted(), elements.getAttempted());
    // Committed only where a subtask finished: the same subtasks for both counters. A subtask that
    // finished without elements commits 0 for the element count but nothing for the user counter,
    // whose cell only exists once incremented.
    assertEquals(committedOrZero(counted), committedOrZero(elements));
  }

  private static long committedOrZero(MetricResult<Long> counter) {
    Long committed = counter.getCommittedOrNull();
    return committed == null ? 0L : committed;
  }

  /** The one counter of {@code job} that {@code filter} matches. */
  private static MetricResult<Long> single(PipelineResult job, MetricNameFilter filter) {
    List<MetricResult<Long>> counters = new ArrayList<>();
    job.metrics()
        .queryMetrics(MetricsFilter.builder().addNameFilter(filter).build())
        .getCounters()
        .forEach(counters::add);
    assertEquals("counters matching " + filter, 1, counters.size());
    return counters.get(0);
  }
}
