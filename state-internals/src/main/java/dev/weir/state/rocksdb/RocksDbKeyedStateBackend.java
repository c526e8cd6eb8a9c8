package dev.weir.state.rocksdb;

import dev.weir.state.BackendClocks;
import dev.weir.state.KeyGroupClaims;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyGroups;
import dev.weir.state.KeyTimerInternals;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedTimer;
import dev.weir.state.StateKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Keyed state and timers of one operator in one subtask, in a RocksDB of its own.
 *
 * <p>Writes skip the write-ahead log: durability comes from snapshots ({@link #snapshot}), taken at
 * barriers, and a failed worker restores from the last one, so a log would only cost time.
 */
public final class RocksDbKeyedStateBackend implements KeyedStateBackend {
  /** Marks a directory as Weir's, with the layout version, in the default column family. */
  static final byte[] FORMAT_KEY = "weir.format".getBytes(StandardCharsets.UTF_8);

  static final byte[] FORMAT = "weir-rocksdb-state-3".getBytes(StandardCharsets.UTF_8);
  /**
   * The key groups the backend owns, {@code start | end} as two big-endian ints, in the default
   * column family, so a snapshot says what it claims. Absent in directories written before it was
   * added; a restore then relies on the content check alone.
   */
  static final byte[] KEY_GROUPS_KEY = "weir.key-groups".getBytes(StandardCharsets.UTF_8);
  private static final List<String> COLUMN_FAMILIES =
      List.of("state", "values", "timers-by-id", "timers-by-time", "holds");
  /** The families whose keys start with {@code keyGroup | key}: what {@link #forEachKey} visits. */
  private static final List<String> KEYED_FAMILIES = List.of("state", "values", "timers-by-id");
  private static final int COPY_BATCH = 1000;

  private final Path directory;
  private final KeyGroupRange range;
  private final boolean deleteOnClose;
  private final OpenDatabase open;
  private final RocksDbStore store;
  private final RocksDbCellContext cells;
  private final RocksDbTimerQueue timers;
  private final RocksDbHoldIndex holds;
  private final BackendClocks clocks = new BackendClocks();
  private boolean closed;

  /** Guards the native handles against a monitoring read while they are closed. */
  private final Object nativeHandles = new Object();

  private boolean nativeClosed;

  /** The native handles of one open database, closed together. */
  private static final class OpenDatabase {
    final DBOptions dbOptions;
    final List<ColumnFamilyOptions> familyOptions;
    final WriteOptions writeOptions;
    final ReadOptions readOptions;
    final RocksDB db;
    final List<ColumnFamilyHandle> handles;
    final Executor writer;

    OpenDatabase(
        DBOptions dbOptions,
        List<ColumnFamilyOptions> familyOptions,
        RocksDB db,
        List<ColumnFamilyHandle> handles,
        Executor writer) {
      this.writer = writer;
      this.dbOptions = dbOptions;
      this.familyOptions = familyOptions;
      this.db = db;
      this.handles = handles;
      this.writeOptions = new WriteOptions().setDisableWAL(true);
      this.readOptions = new ReadOptions();
    }

    /** Handle i+1 is {@code COLUMN_FAMILIES.get(i)}; handle 0 is the default family (meta). */
    ColumnFamilyHandle meta() {
      return handles.get(0);
    }

    ColumnFamilyHandle cf(String name) {
      return handles.get(1 + COLUMN_FAMILIES.indexOf(name));
    }

    void close() {
      for (ColumnFamilyHandle handle : handles) {
        handle.close();
      }
      db.close();
      writeOptions.close();
      readOptions.close();
      familyOptions.forEach(ColumnFamilyOptions::close);
      dbOptions.close();
    }
  }

  private RocksDbKeyedStateBackend(
      Path directory,
      KeyGroupRange range,
      OpenDatabase open,
      Coder<? extends BoundedWindow> windowCoder,
      boolean deleteOnClose,
      long readCacheBytes) {
    this.directory = directory;
    this.range = range;
    this.open = open;
    this.deleteOnClose = deleteOnClose;
    this.store =
        new RocksDbStore(open.db, directory, open.writeOptions, open.readOptions, open.writer);
    // What runners point-read per element: value cells (a GroupByKey's hold and trigger cells),
    // map and set entries, and a timer's by-id entry, read when it is set (runners re-set the same
    // timers per element).
    store.cachePointReads(
        readCacheBytes, open.cf("values"), open.cf("state"), open.cf("timers-by-id"));
    this.holds =
        new RocksDbHoldIndex(
            store,
            open.cf("holds"),
            new KeyGroupHeads(store, open.cf("holds"), range, new byte[0]));
    this.cells =
        new RocksDbCellContext(
            store,
            open.cf("state"),
            open.cf("values"),
            holds,
            new SequenceNumbers(store, open.meta()));
    this.timers =
        new RocksDbTimerQueue(
            store, open.cf("timers-by-id"), open.cf("timers-by-time"), holds, range, windowCoder);
  }

  /**
   * Opens the backend in {@code directory}: a new one if the directory is missing or empty, else
   * the Weir state already there (reopen after close).
   *
   * @param deleteOnClose whether {@link #close()} removes the directory
   */
  public static RocksDbKeyedStateBackend open(
      Path directory,
      KeyGroupRange range,
      RocksDbResources resources,
      Coder<? extends BoundedWindow> windowCoder,
      boolean deleteOnClose) {
    OpenDatabase db = openDatabase(directory, resources, false);
    try {
      writeClaim(db, range, directory);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    return new RocksDbKeyedStateBackend(
        directory, range, db, windowCoder, deleteOnClose, resources.readCacheBytes());
  }

  /**
   * Creates a backend in the new or empty {@code directory} owning {@code range}, holding exactly
   * the key groups of {@code range} found in the given local snapshots (each made by {@link
   * #snapshot}, possibly by backends that owned other ranges).
   *
   * <p>The snapshot that owned most of {@code range} becomes the new database: its SST files are
   * hard-linked (copied across file systems), nothing of it is read key by key, and the key groups
   * outside {@code range} are removed with range deletions, which cost the same whatever they
   * cover. The key groups of {@code range} in the other snapshots are copied key by key. So a
   * restart with the same parallelism links one snapshot's files and reads no key; snapshots whose
   * range lies outside {@code range} are not read at all. A snapshot written before backends
   * recorded their range is always copied.
   *
   * @throws RocksDbStateException naming both snapshots if two of them claim, or hold state in,
   *     one key group of {@code range}: they cannot be of one checkpoint, and merging them would
   *     silently keep one key's state over another's
   */
  public static RocksDbKeyedStateBackend restore(
      Path directory,
      KeyGroupRange range,
      RocksDbResources resources,
      Coder<? extends BoundedWindow> windowCoder,
      boolean deleteOnClose,
      List<Path> snapshots) {
    return restore(directory, range, resources, windowCoder, deleteOnClose, snapshots, true);
  }

  /** {@code linkFiles} false copies every snapshot key by key: for measuring the two ways. */
  static RocksDbKeyedStateBackend restore(
      Path directory,
      KeyGroupRange range,
      RocksDbResources resources,
      Coder<? extends BoundedWindow> windowCoder,
      boolean deleteOnClose,
      List<Path> snapshots,
      boolean linkFiles) {
    if (isNonEmptyDirectory(directory)) {
      throw new RocksDbStateException("Cannot restore into non-empty directory " + directory);
    }
    List<Path> overlapping = new ArrayList<>();
    Path base = null;
    KeyGroupRange baseClaim = null;
    KeyGroupClaims claims = new KeyGroupClaims(range);
    for (Path snapshot : snapshots) {
      KeyGroupRange claim = readClaim(snapshot, resources);
      try {
        if (claim != null && !claims.claim(snapshot, claim)) {
          continue;
        }
      } catch (IllegalArgumentException e) {
        throw new RocksDbStateException(e.getMessage());
      }
      overlapping.add(snapshot);
      if (linkFiles
          && claim != null
          && (baseClaim == null || overlap(claim, range) > overlap(baseClaim, range))) {
        base = snapshot;
        baseClaim = claim;
      }
    }
    OpenDatabase db;
    Path[] restoredFrom = new Path[range.size()];
    if (base != null) {
      linkFiles(base, directory);
      db = openDatabase(directory, resources, false);
      for (int group = Math.max(range.start(), baseClaim.start());
          group < Math.min(range.end(), baseClaim.end());
          group++) {
        restoredFrom[group - range.start()] = base;
      }
    } else {
      db = openDatabase(directory, resources, true);
    }
    try {
      if (base != null) {
        keepOnly(db, range, directory);
      }
      for (Path snapshot : overlapping) {
        if (snapshot != base) {
          copyKeyGroups(snapshot, range, resources, db, directory, restoredFrom);
        }
      }
      writeClaim(db, range, directory);
    } catch (RuntimeException e) {
      db.close();
      deleteRecursively(directory);
      throw e;
    }
    return new RocksDbKeyedStateBackend(
        directory, range, db, windowCoder, deleteOnClose, resources.readCacheBytes());
  }

  private static int overlap(KeyGroupRange a, KeyGroupRange b) {
    return Math.max(0, Math.min(a.end(), b.end()) - Math.max(a.start(), b.start()));
  }

  /**
   * Removes every key outside {@code range} with one range deletion per side and column family;
   * their files stay until compaction, which RocksDB does in the background.
   */
  private static void keepOnly(OpenDatabase db, KeyGroupRange range, Path directory) {
    byte[] first = new KeyBytesWriter(2).keyGroup(0).toBytes();
    byte[] from = new KeyBytesWriter(2).keyGroup(range.start()).toBytes();
    byte[] to = new KeyBytesWriter(2).keyGroup(range.end()).toBytes();
    byte[] last = new KeyBytesWriter(2).keyGroup(KeyGroups.MAX_KEY_GROUPS).toBytes();
    try {
      for (String name : COLUMN_FAMILIES) {
        if (range.start() > 0) {
          db.db.deleteRange(db.cf(name), db.writeOptions, first, from);
        }
        if (range.end() < KeyGroups.MAX_KEY_GROUPS) {
          db.db.deleteRange(db.cf(name), db.writeOptions, to, last);
        }
      }
    } catch (RocksDBException e) {
      throw new RocksDbStateException("Cannot drop the key groups outside " + range, directory, e);
    }
  }

  private static void writeClaim(OpenDatabase db, KeyGroupRange range, Path directory) {
    byte[] claim = ByteBuffer.allocate(8).putInt(range.start()).putInt(range.end()).array();
    try {
      db.db.put(db.meta(), KEY_GROUPS_KEY, claim);
    } catch (RocksDBException e) {
      throw new RocksDbStateException("Cannot write the key-group range", directory, e);
    }
  }

  /** The key groups a snapshot's backend owned, or null if the snapshot does not say. */
  private static @Nullable KeyGroupRange readClaim(Path snapshot, RocksDbResources resources) {
    checkIsSnapshot(snapshot);
    OpenDatabase source = openRocksDb(snapshot, resources, true);
    try {
      if (!Arrays.equals(source.db.get(source.meta(), FORMAT_KEY), FORMAT)) {
        throw new RocksDbStateException("Not a Weir snapshot: " + snapshot);
      }
      byte[] claim = source.db.get(source.meta(), KEY_GROUPS_KEY);
      if (claim == null) {
        return null;
      }
      ByteBuffer in = ByteBuffer.wrap(claim);
      int start = in.getInt();
      int end = in.getInt();
      if (claim.length != 8 || start < 0 || end < start) {
        throw new RocksDbStateException("Corrupt key-group range in snapshot " + snapshot);
      }
      return KeyGroupRange.of(start, end);
    } catch (RocksDBException e) {
      throw new RocksDbStateException("Cannot read snapshot " + snapshot, snapshot, e);
    } finally {
      source.close();
    }
  }

  private static void checkIsSnapshot(Path snapshot) {
    if (!Files.isRegularFile(snapshot.resolve("CURRENT"))) {
      throw new RocksDbStateException("Not a Weir snapshot (no RocksDB database in it): " + snapshot);
    }
  }

  /**
   * Makes {@code directory} a copy of the snapshot database: SST and blob files, which RocksDB
   * never changes, as hard links; the others (MANIFEST, CURRENT, OPTIONS), which an open
   * database rewrites, as copies.
   */
  private static void linkFiles(Path snapshot, Path directory) {
    try {
      Files.createDirectories(directory);
      try (Stream<Path> files = Files.list(snapshot)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          if (!Files.isRegularFile(file)) {
            continue;
          }
          Path target = directory.resolve(file.getFileName());
          String name = file.getFileName().toString();
          if (name.endsWith(".sst") || name.endsWith(".blob")) {
            try {
              Files.createLink(target, file);
              continue;
            } catch (IOException | UnsupportedOperationException e) {
              // Another file system, or none with links: copy instead.
            }
          }
          Files.copy(file, target);
        }
      }
    } catch (IOException e) {
      deleteRecursively(directory);
      throw new RocksDbStateException("Cannot restore from snapshot " + snapshot, directory, e);
    }
  }

  private static OpenDatabase openDatabase(
      Path directory, RocksDbResources resources, boolean mustBeEmpty) {
    boolean existing = isNonEmptyDirectory(directory);
    if (existing && mustBeEmpty) {
      throw new RocksDbStateException("Cannot restore into non-empty directory " + directory);
    }
    if (existing && !Files.isRegularFile(directory.resolve("CURRENT"))) {
      throw new RocksDbStateException(
          "Not a Weir state directory (no RocksDB database in it): " + directory);
    }
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new RocksDbStateException("Cannot create state directory", directory, e);
    }
    OpenDatabase db = openRocksDb(directory, resources, false);
    byte[] format;
    try {
      format = db.db.get(db.meta(), FORMAT_KEY);
      if (format == null && !existing) {
        db.db.put(db.meta(), FORMAT_KEY, FORMAT);
        format = FORMAT;
      }
    } catch (RocksDBException e) {
      db.close();
      throw new RocksDbStateException("Cannot read state directory format", directory, e);
    }
    if (!Arrays.equals(format, FORMAT)) {
      db.close();
      throw new RocksDbStateException(
          "Not a Weir state directory of format "
              + new String(FORMAT, StandardCharsets.UTF_8)
              + ": "
              + directory);
    }
    return db;
  }

  private static OpenDatabase openRocksDb(
      Path directory, RocksDbResources resources, boolean readOnly) {
    DBOptions dbOptions = resources.newDbOptions();
    ColumnFamilyOptions families = resources.newColumnFamilyOptions();
    List<ColumnFamilyOptions> familyOptions = List.of(families);
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, families));
    for (String name : COLUMN_FAMILIES) {
      descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), families));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      RocksDB db =
          readOnly
              ? RocksDB.openReadOnly(dbOptions, directory.toString(), descriptors, handles)
              : RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
      return new OpenDatabase(dbOptions, familyOptions, db, handles, resources.writer());
    } catch (RocksDBException e) {
      familyOptions.forEach(ColumnFamilyOptions::close);
      dbOptions.close();
      throw new RocksDbStateException("Cannot open RocksDB state", directory, e);
    }
  }

  private static boolean isNonEmptyDirectory(Path directory) {
    if (!Files.exists(directory)) {
      return false;
    }
    if (!Files.isDirectory(directory)) {
      throw new RocksDbStateException("State directory is a file: " + directory);
    }
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.findAny().isPresent();
    } catch (IOException e) {
      throw new RocksDbStateException("Cannot list state directory", directory, e);
    }
  }

  /**
   * Copies the key groups of {@code range} from a snapshot; other key groups are never read.
   *
   * @param restoredFrom per key group of {@code range}, the snapshot its state came from; a key
   *     group with state in two snapshots is refused
   */
  private static void copyKeyGroups(
      Path snapshot,
      KeyGroupRange range,
      RocksDbResources resources,
      OpenDatabase target,
      Path targetDirectory,
      Path[] restoredFrom) {
    checkIsSnapshot(snapshot);
    OpenDatabase source = openRocksDb(snapshot, resources, true);
    try {
      if (!Arrays.equals(source.db.get(source.meta(), FORMAT_KEY), FORMAT)) {
        throw new RocksDbStateException("Not a Weir snapshot: " + snapshot);
      }
      byte[] from = new KeyBytesWriter(2).keyGroup(range.start()).toBytes();
      byte[] to = new KeyBytesWriter(2).keyGroup(range.end()).toBytes();
      for (String name : COLUMN_FAMILIES) {
        copyRange(source, target, name, from, to, snapshot, range, restoredFrom);
      }
      byte[] sequence = source.db.get(source.meta(), SequenceNumbers.KEY);
      byte[] ours = target.db.get(target.meta(), SequenceNumbers.KEY);
      if (sequence != null
          && (ours == null
              || KeyBytesWriter.readOrderedLong(sequence, 0)
                  > KeyBytesWriter.readOrderedLong(ours, 0))) {
        target.db.put(target.meta(), SequenceNumbers.KEY, sequence);
      }
    } catch (RocksDBException e) {
      throw new RocksDbStateException(
          "Cannot restore from snapshot " + snapshot, targetDirectory, e);
    } finally {
      source.close();
    }
  }

  private static void copyRange(
      OpenDatabase source,
      OpenDatabase target,
      String cf,
      byte[] from,
      byte[] to,
      Path snapshot,
      KeyGroupRange range,
      Path[] restoredFrom)
      throws RocksDBException {
    try (ReadOptions readOptions = new ReadOptions();
        RocksIterator it = source.db.newIterator(source.cf(cf), readOptions);
        WriteBatch batch = new WriteBatch()) {
      for (it.seek(from); it.isValid() && Arrays.compareUnsigned(it.key(), to) < 0; it.next()) {
        byte[] key = it.key();
        int group = KeyGroups.readPrefix(key, 0) - range.start();
        Path earlier = restoredFrom[group];
        if (earlier == null) {
          restoredFrom[group] = snapshot;
        } else if (!earlier.equals(snapshot)) {
          throw new RocksDbStateException(
              "Key group " + (group + range.start()) + " has state in both snapshot " + earlier
                  + " and snapshot " + snapshot
                  + ": two subtasks never own one key group, so these are not snapshots of one"
                  + " checkpoint");
        }
        batch.put(target.cf(cf), key, it.value());
        if (batch.count() >= COPY_BATCH) {
          target.db.write(target.writeOptions, batch);
          batch.clear();
        }
      }
      it.status();
      target.db.write(target.writeOptions, batch);
    }
  }

  /**
   * Writes a consistent local snapshot of all this backend's state and timers to {@code target}
   * (which must not exist), as hard links to RocksDB's immutable files where the file system
   * allows. Restore it with {@link #restore}.
   */
  @Override
  public void snapshot(Path target) {
    checkOpen();
    store.flush();
    try (Checkpoint checkpoint = Checkpoint.create(open.db)) {
      checkpoint.createCheckpoint(target.toString());
    } catch (RocksDBException e) {
      throw new RocksDbStateException("Snapshot to " + target + " failed", directory, e);
    }
  }

  public Path directory() {
    return directory;
  }

  /**
   * Calls {@code action} once with the canonical bytes of every key of {@code keyGroup} that has
   * state or a pending timer, in unsigned byte order. Cost is one seek per key in each column family
   * that holds it, never a read of the keys' state: after a key is found the iteration seeks past
   * everything stored under it. For moving or dropping a key group, and for operators that must
   * visit every key (e.g. to fire end-of-window work after a restore).
   */
  public void forEachKey(int keyGroup, Consumer<byte[]> action) {
    checkOpen();
    if (!range.contains(keyGroup)) {
      throw new IllegalArgumentException(
          "Key group " + keyGroup + " is not in this backend's " + range);
    }
    byte[] groupStart = new KeyBytesWriter(2).keyGroup(keyGroup).toBytes();
    byte[] groupEnd = KeyBytesWriter.prefixEnd(groupStart);
    int families = KEYED_FAMILIES.size();
    ColumnFamilyHandle[] cfs = new ColumnFamilyHandle[families];
    // Per family, the key prefix of its next stored key (null when it has no more).
    byte[][] next = new byte[families][];
    for (int f = 0; f < families; f++) {
      cfs[f] = open.cf(KEYED_FAMILIES.get(f));
      next[f] = keyPrefixOrNull(store.firstKey(cfs[f], groupStart, groupEnd));
    }
    while (true) {
      // Every family starts its keys with keyGroup | length-prefixed key, so the smallest of the
      // families' next key prefixes is the next key; several families may hold the same key.
      byte[] keyPrefix = null;
      for (byte[] candidate : next) {
        if (candidate != null
            && (keyPrefix == null || Arrays.compareUnsigned(candidate, keyPrefix) < 0)) {
          keyPrefix = candidate;
        }
      }
      if (keyPrefix == null) {
        return;
      }
      action.accept(new KeyBytesReader(keyPrefix, 2).lengthPrefixed());
      byte[] pastKey = KeyBytesWriter.prefixEnd(keyPrefix);
      for (int f = 0; f < families; f++) {
        if (next[f] != null && Arrays.equals(next[f], keyPrefix)) {
          next[f] = keyPrefixOrNull(store.firstKey(cfs[f], pastKey, groupEnd));
        }
      }
    }
  }

  private static byte @Nullable [] keyPrefixOrNull(byte @Nullable [] storedKey) {
    return storedKey == null ? null : keyPrefixOf(storedKey);
  }

  /** {@code keyGroup | length-prefixed key}: the part of a stored key that names its key. */
  private static byte[] keyPrefixOf(byte[] storedKey) {
    KeyBytesReader reader = new KeyBytesReader(storedKey, 2);
    reader.lengthPrefixed();
    return Arrays.copyOf(storedKey, reader.position());
  }

  @Override
  public KeyGroupRange keyGroupRange() {
    return range;
  }

  @Override
  public StateInternals stateInternals(StateKey key) {
    checkOwned(key);
    return new RocksDbKeyStateInternals(cells, key);
  }

  @Override
  public TimerInternals timerInternals(StateKey key) {
    checkOwned(key);
    return new KeyTimerInternals(key, timers, clocks);
  }

  @Override
  public void setTimes(
      Instant inputWatermark,
      @Nullable Instant outputWatermark,
      Instant processingTime,
      Instant synchronizedProcessingTime) {
    clocks.set(inputWatermark, outputWatermark, processingTime, synchronizedProcessingTime);
  }

  @Override
  public @Nullable KeyedTimer pollDueTimer(TimeDomain domain, Instant upTo) {
    checkOpen();
    return timers.pollDue(domain, upTo);
  }

  @Override
  public @Nullable Instant nextTimerTimestamp(TimeDomain domain) {
    checkOpen();
    return timers.nextTimestamp(domain);
  }

  @Override
  public Instant minWatermarkHold() {
    checkOpen();
    return holds.min();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      // Pending writes must reach RocksDB for a reopen to see them; a deleted directory needs none.
      if (!deleteOnClose) {
        store.flush();
      }
    } finally {
      store.awaitWriter();
      store.releaseSnapshots();
      synchronized (nativeHandles) {
        nativeClosed = true;
        open.close();
      }
    }
    if (deleteOnClose) {
      deleteRecursively(directory);
    }
  }

  /**
   * This database's memtables and table readers in bytes ({@code
   * rocksdb.cur-size-all-mem-tables}, {@code rocksdb.estimate-table-readers-mem}), or null once
   * closed. Any thread: for monitoring, while the subtask's thread works.
   */
  long @Nullable [] memoryUsage() {
    synchronized (nativeHandles) {
      if (nativeClosed) {
        return null;
      }
      try {
        return new long[] {
          open.db.getLongProperty("rocksdb.cur-size-all-mem-tables"),
          open.db.getLongProperty("rocksdb.estimate-table-readers-mem")
        };
      } catch (RocksDBException e) {
        return null;
      }
    }
  }

  static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot remove state directory " + path, e);
    }
  }

  private void checkOwned(StateKey key) {
    checkOpen();
    if (!range.contains(key.keyGroup())) {
      throw new IllegalArgumentException(
          "Key group " + key.keyGroup() + " is not in this backend's " + range);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("State backend " + directory + " is closed");
    }
  }
}
