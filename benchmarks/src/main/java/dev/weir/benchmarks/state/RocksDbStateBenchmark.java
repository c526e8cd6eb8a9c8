package dev.weir.benchmarks.state;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedTimer;
import dev.weir.state.StateKey;
import dev.weir.state.memory.InMemoryKeyedStateBackend;
import dev.weir.state.rocksdb.RocksDbStateBackendFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.OrderedListState;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One operation of each Beam state type and of timers against a backend holding {@link #keys}
 * (100,000 unless {@code -p keys=...}) distinct long keys, single thread, µs per operation. Each
 * operation goes through {@code stateInternals(key).state(namespace, tag)} as the worker's runners
 * do per element, so the cost of building the cell's RocksDB prefix is included. Keys rotate
 * through all of them in a fixed pseudo-random order ({@link LongStateKeys#visitOrder}), so reads
 * are spread over the key space instead of hitting one hot RocksDB block, and no key encoding
 * gains from the order.
 *
 * <p>Run: {@code java -cp benchmarks/target/classes:$(cat benchmarks/target/benchmarks.classpath)
 * org.openjdk.jmh.Main RocksDbStateBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@State(Scope.Thread)
public class RocksDbStateBenchmark {
  /** Keys whose bag and ordered list are filled before the run, for the read benchmarks. */
  private static final int FILLED_KEYS = 64;

  private static final int FILLED_ELEMENTS = 1_000;
  private static final int RANGE_READ_ELEMENTS = 100;

  private static final StateNamespace NAMESPACE = StateNamespaces.global();
  private static final StateTag<ValueState<Long>> VALUE =
      StateTags.value("value", VarLongCoder.of());
  private static final StateTag<BagState<Long>> BAG = StateTags.bag("bag", VarLongCoder.of());
  private static final StateTag<BagState<Long>> FILLED_BAG =
      StateTags.bag("filled-bag", VarLongCoder.of());
  private static final StateTag<MapState<Long, Long>> MAP =
      StateTags.map("map", VarLongCoder.of(), VarLongCoder.of());
  private static final StateTag<OrderedListState<Long>> LIST =
      StateTags.orderedList("list", VarLongCoder.of());
  private static final StateTag<OrderedListState<Long>> FILLED_LIST =
      StateTags.orderedList("filled-list", VarLongCoder.of());

  /**
   * Distinct keys. Operations that write per key cost less when keys repeat within a write batch
   * (a bag's elements of one batch share a RocksDB entry), so more keys show the other end.
   */
  @Param({"100000"})
  public int keys;

  /** {@code rocksdb} or {@code heap} ({@link InMemoryKeyedStateBackend}, for comparison). */
  @Param({"rocksdb", "heap"})
  public String backend;

  /**
   * Heap per backend for its cache of point reads, in MiB (Weir's default is 16); 0 measures
   * RocksDB alone. With the default the values of 100,000 keys fit in it, so valueGet reads the
   * heap; map entries (4 per key) do not, so mapGet mostly misses.
   */
  @Param({"16"})
  public int readCacheMb;

  private Path parent;
  private RocksDbStateBackendFactory factory;
  private KeyedStateBackend state;
  private StateKey[] stateKeys;
  private int[] visitOrder;
  private int next;
  private long counter;
  private long timerTime;
  private long missedTimers;

  @Setup(Level.Trial)
  public void open() throws IOException {
    stateKeys = LongStateKeys.range(keys);
    visitOrder = LongStateKeys.visitOrder(keys);
    KeyGroupRange all = KeyGroupRange.of(0, LongStateKeys.MAX_PARALLELISM);
    if (backend.equals("rocksdb")) {
      parent = Files.createTempDirectory("weir-jmh-");
      // A worker's defaults are set by options; these are what one operator of a small worker gets.
      factory =
          new RocksDbStateBackendFactory(parent, 256L << 20, 64L << 20, (long) readCacheMb << 20);
      state = factory.create("jmh", 0, all, GlobalWindow.Coder.INSTANCE);
    } else if (backend.equals("heap")) {
      state = new InMemoryKeyedStateBackend(all);
    } else {
      throw new IllegalArgumentException("backend must be rocksdb or heap, not " + backend);
    }
    for (StateKey key : stateKeys) {
      state.stateInternals(key).state(NAMESPACE, VALUE).write(key.hashCode() & 0xffffL);
      MapState<Long, Long> map = state.stateInternals(key).state(NAMESPACE, MAP);
      for (long m = 0; m < 4; m++) {
        map.put(m, m);
      }
    }
    for (int k = 0; k < FILLED_KEYS; k++) {
      BagState<Long> bag = state.stateInternals(stateKeys[k]).state(NAMESPACE, FILLED_BAG);
      OrderedListState<Long> list =
          state.stateInternals(stateKeys[k]).state(NAMESPACE, FILLED_LIST);
      for (long e = 0; e < FILLED_ELEMENTS; e++) {
        bag.add(e);
        list.add(TimestampedValue.of(e, new Instant(e)));
      }
    }
    state.setTimes(new Instant(0), null, new Instant(0), new Instant(0));
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    state.close();
    if (factory != null) {
      factory.close();
      Files.deleteIfExists(parent);
    }
    if (missedTimers > 0) {
      throw new IllegalStateException(missedTimers + " timers set were not fired");
    }
  }

  private StateKey nextKey() {
    StateKey key = stateKeys[visitOrder[next]];
    next = next + 1 == keys ? 0 : next + 1;
    return key;
  }

  @Benchmark
  public Long valueGet() {
    return state.stateInternals(nextKey()).state(NAMESPACE, VALUE).read();
  }

  @Benchmark
  public void valuePut() {
    state.stateInternals(nextKey()).state(NAMESPACE, VALUE).write(counter++);
  }

  @Benchmark
  public void bagAdd() {
    state.stateInternals(nextKey()).state(NAMESPACE, BAG).add(counter++);
  }

  /** Reads and iterates a whole bag of {@value #FILLED_ELEMENTS} elements: µs per bag. */
  @Benchmark
  public void bagRead1000(Blackhole sink) {
    StateKey key = stateKeys[(int) (counter++ % FILLED_KEYS)];
    for (Long element : state.stateInternals(key).state(NAMESPACE, FILLED_BAG).read()) {
      sink.consume(element);
    }
  }

  @Benchmark
  public void mapPut() {
    long c = counter++;
    state.stateInternals(nextKey()).state(NAMESPACE, MAP).put(c & 7, c);
  }

  @Benchmark
  public Long mapGet() {
    return state.stateInternals(nextKey()).state(NAMESPACE, MAP).get(counter++ & 3).read();
  }

  @Benchmark
  public void orderedListAdd() {
    long c = counter++;
    state
        .stateInternals(nextKey())
        .state(NAMESPACE, LIST)
        .add(TimestampedValue.of(c, new Instant(c % 10_000)));
  }

  /** Reads {@value #RANGE_READ_ELEMENTS} of an ordered list's {@value #FILLED_ELEMENTS}: µs per range. */
  @Benchmark
  public void orderedListRangeRead(Blackhole sink) {
    long c = counter++;
    StateKey key = stateKeys[(int) (c % FILLED_KEYS)];
    long from = c % (FILLED_ELEMENTS - RANGE_READ_ELEMENTS);
    for (TimestampedValue<Long> element :
        state
            .stateInternals(key)
            .state(NAMESPACE, FILLED_LIST)
            .readRange(new Instant(from), new Instant(from + RANGE_READ_ELEMENTS))) {
      sink.consume(element);
    }
  }

  /**
   * Sets an event-time timer (output timestamp = its time, so it also holds the watermark) and
   * fires it: one {@code setTimer} and one {@code pollDueTimer} per operation.
   */
  @Benchmark
  public KeyedTimer timerSetAndFire() {
    StateKey key = nextKey();
    Instant at = new Instant(++timerTime);
    TimerInternals timers = state.timerInternals(key);
    timers.setTimer(NAMESPACE, "timer", "", at, at, TimeDomain.EVENT_TIME);
    KeyedTimer fired = state.pollDueTimer(TimeDomain.EVENT_TIME, at);
    if (fired == null) {
      missedTimers++;
    }
    return fired;
  }
}
