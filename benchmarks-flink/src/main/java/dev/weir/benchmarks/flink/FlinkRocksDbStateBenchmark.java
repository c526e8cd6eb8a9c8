package dev.weir.benchmarks.flink;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.SerializerFactory;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.contrib.streaming.state.RocksDBKeyedStateBackend;
import org.apache.flink.contrib.streaming.state.RocksDBOptions;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.execution.Environment;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.flink.runtime.memory.MemoryManager;
import org.apache.flink.runtime.query.KvStateRegistry;
import org.apache.flink.runtime.state.AbstractKeyedStateBackend;
import org.apache.flink.runtime.state.DefaultKeyedStateStore;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupedInternalPriorityQueue;
import org.apache.flink.runtime.state.KeyedStateBackendParametersImpl;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;
import org.apache.flink.streaming.api.operators.TimerHeapInternalTimer;
import org.apache.flink.streaming.api.operators.TimerSerializer;
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
 * Weir's {@code RocksDbStateBenchmark} (module {@code benchmarks}) against Flink 1.19.0's RocksDB
 * keyed state backend: the same operations, key space, preload and JMH settings, so the two can be
 * run one after the other on the same machine and compared as a ratio
 * ({@code benchmarks/compare-state-with-flink.sh}). This module depends on no Weir module: Flink's
 * {@code com.ververica:frocksdbjni} and Weir's {@code org.rocksdb:rocksdbjni} both ship {@code
 * org.rocksdb} classes, so each benchmark runs in a JVM of its own.
 *
 * <p><b>Shapes, as in Weir's benchmark.</b> One {@code RocksDBKeyedStateBackend<Long>}, key
 * serializer {@link LongSerializer}, {@value #MAX_PARALLELISM} key groups (Weir's {@code
 * LongStateKeys.MAX_PARALLELISM}), owning all of them. {@link #keys} distinct {@code Long} keys,
 * rotating in a fixed pseudo-random order ({@link #visitOrder}): every operation first calls
 * {@code setCurrentKey} with the next key, as a Flink keyed operator does per element, so Flink's key serialization and key-group hashing are timed just as
 * Weir's {@code stateInternals(key).state(namespace, tag)} is. Preload: a value and 4 map entries
 * (0..3) per key; 64 keys with a 1,000-element list (and, for the ordered-list emulation, 1,000
 * timestamps). Values and map keys/values are {@code Long} with {@link LongSerializer} (what a
 * Flink user of {@code Long} state gets). States are obtained once, as a user function does in
 * {@code open()}, through {@link DefaultKeyedStateStore} (what {@code
 * getRuntimeContext().getState(...)} returns: namespace {@link VoidNamespace}, user-facing list and
 * map wrappers).
 *
 * <p><b>Flink configuration.</b> The backend is made the way a task manager makes it: {@link
 * EmbeddedRocksDBStateBackend#createKeyedStateBackend} with a minimal {@link Environment} ({@link
 * BenchmarkEnvironment}). Everything is Flink 1.19's default — {@code PredefinedOptions.DEFAULT},
 * no options factory, no {@code RocksDBConfigurableOptions} set (so RocksDB's own table defaults:
 * no bloom filter, unpartitioned index and filter blocks), timers in RocksDB ({@code
 * state.backend.rocksdb.timer-service.factory: ROCKSDB}, heap cache of 128 timers per key group),
 * Flink's {@code WriteOptions} with the WAL disabled, incremental checkpoints off (no checkpoint is
 * taken) — except memory, made equal to Weir's per-worker budget (256 MiB LRU block cache, of which
 * 10 % high priority for index and filter blocks, and a 64 MiB write-buffer manager charged to
 * that cache). Flink's default memory mode is kept ({@code state.backend.rocksdb.memory.managed:
 * true}: one cache and write-buffer manager shared by the slot, sized from its managed memory).
 * Flink derives both sizes from the slot's managed memory M and {@code
 * state.backend.rocksdb.memory.write-buffer-ratio} r: cache = (3 − r)·M/3, write buffers = 2·r·M/3.
 * With Flink's default r = 0.5 no M gives 256 and 64 MiB together, so two settings differ from a
 * stock task manager: the slot's managed memory is M = {@value #MANAGED_MEMORY_MIB} MiB (a memory
 * manager of that size, managed-memory fraction 1.0 for this one backend) and r = 1/3. The
 * high-priority pool ratio keeps Flink's default 0.1, the same as Weir's. To see the sizes Flink
 * chose, run with {@code
 * -Dorg.slf4j.simpleLogger.log.org.apache.flink.contrib.streaming.state.RocksDBMemoryControllerUtils=debug}:
 * "calculatedCacheCapacity: 268435456, highPriorityPoolRatio: 0.1, writeBufferManagerCapacity:
 * 67108864". (Flink 1.19 logs "shareScope=SLOT, managed=false" for this managed-memory path too;
 * its "Obtained shared RocksDB cache of size 301989888 bytes" is M.) What the defaults amount to
 * in RocksDB's OPTIONS file: 64 MiB {@code write_buffer_size} and 2 write buffers per column
 * family (one column family per state), Snappy compression, 4 KiB blocks, binary-search index, no
 * filter policy, index and filter blocks in the cache with high priority and level-0 ones pinned,
 * {@code max_background_jobs=2}.
 *
 * <p><b>Ordered lists.</b> Flink has no {@code OrderedListState}. {@code orderedListAdd} and
 * {@code orderedListRangeRead} use the idiom of Flink's own event-time operators (e.g. its SQL
 * row-time OVER aggregations, {@code RowTimeRangeBoundedPrecedingFunction}): a {@code
 * MapState<Long, List<Long>>} keyed by timestamp. Add is a get of the
 * timestamp's list, an append and a put; a range read iterates the map's entries, which the RocksDB
 * backend returns in serialized-key order (big-endian {@code long}s, so ascending for the
 * non-negative timestamps here), skipping those before the range and stopping after it: Flink's
 * {@code MapState} has no seek, so a range read always starts at the first entry. These two rows
 * compare Weir's state type against the nearest Flink idiom, not like against like.
 *
 * <p><b>Timers.</b> {@code timerSetAndFire} uses the queue Flink's timer service uses for event-time
 * timers: a {@code KeyGroupedInternalPriorityQueue<TimerHeapInternalTimer<Long, VoidNamespace>>}
 * from the backend's {@code create(name, TimerSerializer)}. One operation adds a timer for the
 * current key (as {@code registerEventTimeTimer} does), then fires it as the timer service does on
 * a watermark: peek, set the timer's key as current, poll. Flink timers hold no watermark; Weir's
 * set-timer also writes a watermark hold.
 *
 * <p>Run: {@code java -cp benchmarks-flink/target/classes:$(cat
 * benchmarks-flink/target/benchmarks.classpath) org.openjdk.jmh.Main FlinkRocksDbStateBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@State(Scope.Thread)
public class FlinkRocksDbStateBenchmark {
  /** Distinct keys, as Weir's benchmark: 100,000 unless {@code -p keys=...}. */
  @Param({"100000"})
  public int keys;

  /** As Weir's {@code LongStateKeys.MAX_PARALLELISM}: key groups, all owned by this backend. */
  static final int MAX_PARALLELISM = 128;
  /** As Weir's {@code LongStateKeys.VISIT_ORDER_SEED}. */
  static final long VISIT_ORDER_SEED = 42;
  /** Keys whose list and ordered list are filled before the run, for the read benchmarks. */
  private static final int FILLED_KEYS = 64;

  private static final int FILLED_ELEMENTS = 1_000;
  private static final int RANGE_READ_ELEMENTS = 100;

  /** Weir's per-worker block cache and write-buffer budget. */
  private static final long BLOCK_CACHE_BYTES = 256L << 20;

  private static final long WRITE_BUFFER_BYTES = 64L << 20;
  /** Slot managed memory M and ratio r for which Flink's (3 − r)·M/3 and 2·r·M/3 are the above. */
  static final int MANAGED_MEMORY_MIB = 288;

  private static final double WRITE_BUFFER_RATIO = 1.0 / 3.0;

  private Path parent;
  private MemoryManager memoryManager;
  private AbstractKeyedStateBackend<Long> backend;
  private ValueState<Long> value;
  private ListState<Long> bag;
  private ListState<Long> filledBag;
  private MapState<Long, Long> map;
  private MapState<Long, List<Long>> list;
  private MapState<Long, List<Long>> filledList;
  private KeyGroupedInternalPriorityQueue<TimerHeapInternalTimer<Long, VoidNamespace>> timers;
  private Long[] stateKeys;
  private int[] visitOrder;
  private int next;
  private long counter;
  private long timerTime;
  private long missedTimers;

  @Setup(Level.Trial)
  public void open() throws Exception {
    parent = Files.createTempDirectory("flink-jmh-");
    File tmp = Files.createDirectory(parent.resolve("tmp")).toFile();
    File db = Files.createDirectory(parent.resolve("db")).toFile();

    Configuration config = new Configuration();
    config.set(RocksDBOptions.WRITE_BUFFER_RATIO, WRITE_BUFFER_RATIO);
    EmbeddedRocksDBStateBackend flink =
        new EmbeddedRocksDBStateBackend().configure(config, getClass().getClassLoader());
    flink.setDbStoragePath(db.getAbsolutePath());
    long managed = (long) MANAGED_MEMORY_MIB << 20;
    checkMemory(managed);
    memoryManager = MemoryManager.create(managed, MemoryManager.DEFAULT_PAGE_SIZE);

    JobID job = new JobID();
    Environment env = BenchmarkEnvironment.create(job, config, tmp, memoryManager);
    backend =
        flink.createKeyedStateBackend(
            new KeyedStateBackendParametersImpl<>(
                env,
                job,
                "jmh",
                LongSerializer.INSTANCE,
                MAX_PARALLELISM,
                KeyGroupRange.of(0, MAX_PARALLELISM - 1),
                new KvStateRegistry().createTaskRegistry(job, new JobVertexID()),
                TtlTimeProvider.DEFAULT,
                new UnregisteredMetricsGroup(),
                (metric, measured) -> {},
                Collections.emptyList(),
                new CloseableRegistry(),
                1.0));
    if (!((RocksDBKeyedStateBackend<Long>) backend).getWriteOptions().disableWAL()) {
      throw new IllegalStateException("Flink's RocksDB backend writes with the WAL on");
    }

    KeyedStateStore store =
        new DefaultKeyedStateStore(
            backend,
            new SerializerFactory() {
              @Override
              public <T> TypeSerializer<T> createSerializer(TypeInformation<T> type) {
                throw new UnsupportedOperationException("every descriptor has its serializer");
              }
            });
    value = store.getState(new ValueStateDescriptor<>("value", LongSerializer.INSTANCE));
    bag = store.getListState(new ListStateDescriptor<>("bag", LongSerializer.INSTANCE));
    filledBag =
        store.getListState(new ListStateDescriptor<>("filled-bag", LongSerializer.INSTANCE));
    map =
        store.getMapState(
            new MapStateDescriptor<>("map", LongSerializer.INSTANCE, LongSerializer.INSTANCE));
    ListSerializer<Long> longs = new ListSerializer<>(LongSerializer.INSTANCE);
    list = store.getMapState(new MapStateDescriptor<>("list", LongSerializer.INSTANCE, longs));
    filledList =
        store.getMapState(new MapStateDescriptor<>("filled-list", LongSerializer.INSTANCE, longs));
    timers =
        backend.create(
            "_timer_state/event_user-timers",
            new TimerSerializer<>(LongSerializer.INSTANCE, VoidNamespaceSerializer.INSTANCE));

    stateKeys = new Long[keys];
    for (int k = 0; k < keys; k++) {
      stateKeys[k] = (long) k;
    }
    for (Long key : stateKeys) {
      backend.setCurrentKey(key);
      value.update(key & 0xffffL);
      for (long m = 0; m < 4; m++) {
        map.put(m, m);
      }
    }
    for (int k = 0; k < FILLED_KEYS; k++) {
      backend.setCurrentKey(stateKeys[k]);
      for (long e = 0; e < FILLED_ELEMENTS; e++) {
        filledBag.add(e);
        List<Long> at = new ArrayList<>(1);
        at.add(e);
        filledList.put(e, at);
      }
    }
    checkPreload();
    visitOrder = visitOrder(keys);
  }

  /**
   * Indexes {@code 0 .. count-1} in the fixed pseudo-random order Weir's benchmark visits its keys
   * in (its {@code LongStateKeys.visitOrder}, the same seed and shuffle). Visiting keys by
   * increasing number would favour Flink here: its big-endian key bytes sort like the numbers, so
   * each access lands next to the one a key group's rotation earlier, still in the CPU cache
   * (measured: value get 1.9 µs in numeric order against 2.7 µs shuffled, map get 1.9 against
   * 3.6), while Beam's VarLong keys do not sort like the numbers. Streams rarely arrive sorted.
   */
  static int[] visitOrder(int count) {
    int[] order = new int[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    Random random = new Random(VISIT_ORDER_SEED);
    for (int i = count - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }

  /** The read benchmarks time what they claim to: full lists, ordered timestamps, values there. */
  private void checkPreload() throws Exception {
    backend.setCurrentKey(stateKeys[FILLED_KEYS - 1]);
    long elements = 0;
    for (Long element : filledBag.get()) {
      if (element != elements++) {
        throw new IllegalStateException("list element " + element + " out of place");
      }
    }
    long timestamps = 0;
    for (Map.Entry<Long, List<Long>> entry : filledList.entries()) {
      if (entry.getKey() != timestamps++) {
        throw new IllegalStateException("map entries not in timestamp order at " + entry.getKey());
      }
    }
    backend.setCurrentKey(stateKeys[keys - 1]);
    if (elements != FILLED_ELEMENTS
        || timestamps != FILLED_ELEMENTS
        || value.value() != ((keys - 1) & 0xffffL)
        || map.get(3L) != 3L) {
      throw new IllegalStateException(
          "preload: " + elements + " list elements, " + timestamps + " timestamps");
    }
  }

  /** The cache and write-buffer sizes Flink will derive, checked against Weir's before starting. */
  private static void checkMemory(long managed) {
    long cache = (long) ((3 - WRITE_BUFFER_RATIO) * managed / 3);
    long writeBuffers = (long) (2 * managed * WRITE_BUFFER_RATIO / 3);
    if (Math.abs(cache - BLOCK_CACHE_BYTES) > 1024
        || Math.abs(writeBuffers - WRITE_BUFFER_BYTES) > 1024) {
      throw new IllegalStateException(
          "Flink would size the cache " + cache + " and write buffers " + writeBuffers);
    }
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    backend.dispose();
    memoryManager.shutdown();
    try (Stream<Path> files = Files.walk(parent)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    if (missedTimers > 0) {
      throw new IllegalStateException(missedTimers + " timers set were not fired");
    }
  }

  private Long nextKey() {
    Long key = stateKeys[visitOrder[next]];
    next = next + 1 == keys ? 0 : next + 1;
    return key;
  }

  @Benchmark
  public Long valueGet() throws IOException {
    backend.setCurrentKey(nextKey());
    return value.value();
  }

  @Benchmark
  public void valuePut() throws IOException {
    backend.setCurrentKey(nextKey());
    value.update(counter++);
  }

  @Benchmark
  public void bagAdd() throws Exception {
    backend.setCurrentKey(nextKey());
    bag.add(counter++);
  }

  /** Reads and iterates a whole list of {@value #FILLED_ELEMENTS} elements: µs per list. */
  @Benchmark
  public void bagRead1000(Blackhole sink) throws Exception {
    backend.setCurrentKey(stateKeys[(int) (counter++ % FILLED_KEYS)]);
    for (Long element : filledBag.get()) {
      sink.consume(element);
    }
  }

  @Benchmark
  public void mapPut() throws Exception {
    long c = counter++;
    backend.setCurrentKey(nextKey());
    map.put(c & 7, c);
  }

  @Benchmark
  public Long mapGet() throws Exception {
    backend.setCurrentKey(nextKey());
    return map.get(counter++ & 3);
  }

  /** Emulated (Flink has no ordered list): append to the list at the element's timestamp. */
  @Benchmark
  public void orderedListAdd() throws Exception {
    long c = counter++;
    backend.setCurrentKey(nextKey());
    long timestamp = c % 10_000;
    List<Long> at = list.get(timestamp);
    if (at == null) {
      at = new ArrayList<>(1);
    }
    at.add(c);
    list.put(timestamp, at);
  }

  /**
   * Emulated: the elements with timestamps in [from, from + {@value #RANGE_READ_ELEMENTS}) out of
   * {@value #FILLED_ELEMENTS}, iterating the map from its first entry: µs per range.
   */
  @Benchmark
  public void orderedListRangeRead(Blackhole sink) throws Exception {
    long c = counter++;
    backend.setCurrentKey(stateKeys[(int) (c % FILLED_KEYS)]);
    long from = c % (FILLED_ELEMENTS - RANGE_READ_ELEMENTS);
    long to = from + RANGE_READ_ELEMENTS;
    for (Map.Entry<Long, List<Long>> entry : filledList.entries()) {
      long timestamp = entry.getKey();
      if (timestamp >= to) {
        break;
      }
      if (timestamp >= from) {
        for (Long element : entry.getValue()) {
          sink.consume(element);
        }
      }
    }
  }

  /**
   * Adds an event-time timer for the current key and fires it: one {@code add}, then {@code peek},
   * {@code setCurrentKey} of the timer's key and {@code poll}, per operation.
   */
  @Benchmark
  public TimerHeapInternalTimer<Long, VoidNamespace> timerSetAndFire() throws Exception {
    Long key = nextKey();
    backend.setCurrentKey(key);
    long at = ++timerTime;
    timers.add(new TimerHeapInternalTimer<>(at, key, VoidNamespace.INSTANCE));
    TimerHeapInternalTimer<Long, VoidNamespace> due = timers.peek();
    if (due == null || due.getTimestamp() > at) {
      missedTimers++;
      return null;
    }
    backend.setCurrentKey(due.getKey());
    return timers.poll();
  }
}
