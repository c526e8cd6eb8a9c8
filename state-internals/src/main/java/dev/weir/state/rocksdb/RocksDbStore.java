package dev.weir.state.rocksdb;

import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Byte-level access to one open RocksDB: point reads and writes and range scans, every failure
 * turned into a {@link RocksDbStateException} naming the directory.
 *
 * <p>Point writes are held back in {@link PendingWrites} and applied as one batch: before any range
 * read (so scans see them), before a snapshot or close ({@link #flush}), and when the batch is full.
 * Point reads see them at once. A full batch is applied by a writer thread while the caller goes
 * on filling the next one (RocksDB's memtable insert is most of a write's cost); point reads see
 * the batch being applied too, and a second full batch waits for the first. A failed write fails
 * every later flush, so the task fails instead of running on without the lost writes.
 *
 * <p>Scans read in chunks, each through a short-lived native iterator, so a caller that stops
 * iterating half way leaks no native handle and a large bag is never held on the heap whole.
 */
final class RocksDbStore {
  /** Entries read per native iterator; big enough to amortise the seek, small for the heap. */
  static final int SCAN_CHUNK = 256;
  /**
   * Entries per iterator when reading on from a pinned snapshot: only large ranges get there, and
   * each chunk costs a new native iterator and a seek.
   */
  static final int SNAPSHOT_SCAN_CHUNK = 1024;
  /**
   * A scan chunk also ends once it holds this many key and value bytes, so large values (bag
   * chunks, big map values) are not read 1,024 at a time.
   */
  static final int SCAN_CHUNK_BYTES = 1 << 20;

  private final RocksDB db;
  private final Path directory;
  private final WriteOptions writeOptions;
  private final ReadOptions readOptions;
  private final Set<PinnedSnapshot> pinned = ConcurrentHashMap.newKeySet();
  private final Executor writer;
  private PendingWrites pending = new PendingWrites();
  /** A full batch the writer thread is applying, or null; only the caller's thread changes this. */
  private @Nullable PendingWrites applying;
  private @Nullable CompletableFuture<Void> applied;
  /** An applied batch, emptied, kept so the next one reuses its hash tables. */
  private @Nullable PendingWrites spare;
  private volatile boolean closing;
  /** Column families whose point reads are cached; a family's index is its number in the cache. */
  private ColumnFamilyHandle[] cachedFamilies = new ColumnFamilyHandle[0];
  private @Nullable PointReadCache cache;

  private static final Cleaner SNAPSHOT_CLEANER = Cleaner.create();

  RocksDbStore(
      RocksDB db,
      Path directory,
      WriteOptions writeOptions,
      ReadOptions readOptions,
      Executor writer) {
    this.db = db;
    this.directory = directory;
    this.writeOptions = writeOptions;
    this.readOptions = readOptions;
    this.writer = writer;
  }

  Path directory() {
    return directory;
  }

  /**
   * Caches point reads of {@code families} on the heap, up to {@code maxBytes} between them
   * ({@link PointReadCache}); every write of these families must then go through {@link #put} or
   * {@link #delete} of this store (appends write fresh keys only, which no point read has asked
   * for), and the cache keeps the key arrays it was read with, which must not change afterwards.
   * Call once, before the first read.
   */
  void cachePointReads(long maxBytes, ColumnFamilyHandle... families) {
    if (maxBytes > 0 && families.length > 0) {
      cachedFamilies = families.clone();
      cache = new PointReadCache(maxBytes);
    }
  }

  /** The family's number in the cache, or -1 if its reads are not cached. */
  private int cachedFamily(ColumnFamilyHandle cf) {
    for (int i = 0; i < cachedFamilies.length; i++) {
      if (cachedFamilies[i] == cf) {
        return i;
      }
    }
    return -1;
  }

  RocksDB db() {
    return db;
  }

  @Nullable
  byte[] get(ColumnFamilyHandle cf, byte[] key) {
    return get(cf, key, false);
  }

  /**
   * {@link #get} for a key that is usually absent. RocksJava's get reports a missing key by
   * throwing and catching a C++ exception inside its JNI code (~2 µs of stack unwinding);
   * keyMayExist answers a missing key (memtable, bloom filter) without one; a key that may be
   * there is then read with get, which costs a second lookup for a key that is there.
   */
  @Nullable
  byte[] getUsuallyAbsent(ColumnFamilyHandle cf, byte[] key) {
    return get(cf, key, true);
  }

  private byte @Nullable [] get(ColumnFamilyHandle cf, byte[] key, boolean usuallyAbsent) {
    byte[] written = pending.get(cf, key);
    if (written == null && applying != null) {
      written = applying.get(cf, key);
    }
    if (written != null) {
      return written == PendingWrites.DELETED ? null : written;
    }
    int family = cachedFamily(cf);
    if (family < 0) {
      return read(cf, key, usuallyAbsent);
    }
    byte[] cached = cache.get(family, key);
    if (cached != null) {
      return cached == PointReadCache.ABSENT ? null : cached;
    }
    // Neither batch holds the key, so what RocksDB has now is its latest value.
    byte[] stored = read(cf, key, usuallyAbsent);
    cache.remember(family, key, stored);
    return stored;
  }

  private byte @Nullable [] read(ColumnFamilyHandle cf, byte[] key, boolean usuallyAbsent) {
    try {
      if (!usuallyAbsent) {
        return db.get(cf, readOptions, key);
      }
      // Only keyMayExist's "definitely absent" is used: the value it can hand back came back
      // empty for keys that hold one, in a database restored with range deletions (see
      // RocksDbSnapshotRestoreTest#timersSurviveRepeatedSnapshotRestoreCyclesWhileFiringAndBeingReset).
      if (!db.keyMayExist(cf, readOptions, key, null)) {
        return null;
      }
      return db.get(cf, readOptions, key);
    } catch (RocksDBException e) {
      throw new RocksDbStateException("RocksDB read failed", directory, e);
    }
  }

  /** Writes {@code value} under {@code key}; neither array may be changed afterwards. */
  void put(ColumnFamilyHandle cf, byte[] key, byte[] value) {
    pending.put(cf, key, value);
    written(cf, key, value);
    flushIfFull();
  }

  void delete(ColumnFamilyHandle cf, byte[] key) {
    pending.delete(cf, key);
    written(cf, key, PointReadCache.ABSENT);
    flushIfFull();
  }

  private void written(ColumnFamilyHandle cf, byte[] key, byte[] value) {
    int family = cachedFamily(cf);
    if (family >= 0) {
      cache.written(family, key, value);
    }
  }

  private void flushIfFull() {
    if (applied != null && applied.isDone()) {
      // Reports a failed batch at the next write rather than at the next full batch.
      awaitApplied();
    }
    if (pending.isFull()) {
      awaitApplied();
      PendingWrites full = pending;
      pending = spare != null ? spare : new PendingWrites();
      spare = null;
      applying = full;
      applied = CompletableFuture.runAsync(() -> write(full), writer);
    }
  }

  /**
   * Applies every pending write to RocksDB, and waits for a batch the writer thread is applying. A
   * failure (e.g. a full disk), now or in an earlier batch, fails the caller.
   */
  void flush() {
    awaitApplied();
    if (!pending.isEmpty()) {
      write(pending);
      pending.clear();
    }
  }

  private void awaitApplied() {
    if (applied == null) {
      return;
    }
    try {
      applied.join();
    } catch (CompletionException e) {
      // The failed batch stays in place: point reads still see it and every flush fails again.
      Throwable cause = e.getCause();
      throw cause instanceof RocksDbStateException
          ? new RocksDbStateException((RocksDbStateException) cause)
          : new RocksDbStateException("RocksDB write failed", directory, cause);
    }
    PendingWrites done = applying;
    applying = null;
    applied = null;
    done.clear();
    spare = done;
  }

  /** Waits until no batch is being applied, whether or not it succeeded; before closing RocksDB. */
  void awaitWriter() {
    if (applied != null) {
      // A failure is reported by flush; a store closed without flushing has no use for it.
      applied.handle((ignored, failure) -> null).join();
    }
  }

  private void write(PendingWrites batch) {
    try (WriteBatch nativeBatch = batch.toWriteBatch()) {
      db.write(writeOptions, nativeBatch);
    } catch (RocksDBException e) {
      throw new RocksDbStateException("RocksDB write failed", directory, e);
    }
  }

  /** The first key in {@code [from, to)}, or null. */
  @Nullable
  byte[] firstKey(ColumnFamilyHandle cf, byte[] from, byte[] to) {
    List<byte[]> first = firstKeys(cf, from, to, 1);
    return first.isEmpty() ? null : first.get(0);
  }

  /**
   * Writes an element of an append-only cell whose keys start with {@code prefix} and are only
   * ever removed together ({@link #deleteRange}). Elements of one cell written between two
   * batches are stored together, under {@code prefix | sequence} with the sequence number given
   * with the first of them, their value read by {@link BagChunks}; see {@link
   * PendingWrites#append}.
   */
  void append(ColumnFamilyHandle cf, byte[] prefix, long newSequence, byte[] element) {
    pending.append(cf, prefix, newSequence, element);
    flushIfFull();
  }

  /** Whether the append-only cell under {@code prefix} has any element. */
  boolean hasAppended(ColumnFamilyHandle cf, byte[] prefix, byte[] prefixEnd) {
    return pending.hasAppendUnder(cf, prefix)
        || (applying != null && applying.hasAppendUnder(cf, prefix))
        || firstKey(cf, prefix, prefixEnd) != null;
  }

  /** Up to {@code limit} keys in {@code [from, to)}, in key order, read with one seek. */
  List<byte[]> firstKeys(ColumnFamilyHandle cf, byte[] from, byte[] to, int limit) {
    flush();
    List<byte[]> keys = new ArrayList<>();
    try (BoundedIterator bounded = new BoundedIterator(cf, to, null)) {
      RocksIterator it = bounded.it;
      for (it.seek(from); it.isValid() && keys.size() < limit; it.next()) {
        keys.add(it.key());
      }
      checkStatus(it);
    }
    return keys;
  }

  /**
   * A native iterator that stops at {@code to}. Without the bound, a seek into a range with no live
   * key walks on over the deletion markers of the following ranges until it meets a live key; for
   * the timer and hold indexes, where fired timers leave a marker each, that walk grew with every
   * timer fired (about 1 ms per timer after a few hundred thousand).
   */
  private final class BoundedIterator implements AutoCloseable {
    final Slice upperBound;
    final ReadOptions options;
    final RocksIterator it;

    BoundedIterator(ColumnFamilyHandle cf, byte[] to, @Nullable Snapshot snapshot) {
      upperBound = new Slice(to);
      options = new ReadOptions().setIterateUpperBound(upperBound);
      if (snapshot != null) {
        options.setSnapshot(snapshot);
      }
      it = db.newIterator(cf, options);
    }

    @Override
    public void close() {
      it.close();
      options.close();
      upperBound.close();
    }
  }

  /** Deletes every key in {@code [from, to)}; cost proportional to the number of keys. */
  void deleteRange(ColumnFamilyHandle cf, byte[] from, byte[] to) {
    for (Map.Entry<byte[], byte[]> entry : scan(cf, from, to)) {
      delete(cf, entry.getKey());
    }
  }

  /** Entries with keys in {@code [from, to)} in key order, read lazily in chunks. */
  Iterable<Map.Entry<byte[], byte[]>> scan(ColumnFamilyHandle cf, byte[] from, byte[] to) {
    return () -> new ChunkedIterator(cf, from, to, null);
  }

  /**
   * Entries with keys in {@code [from, to)} as they are now: writes after this call do not show
   * in the result, as Beam asks of what a state's {@code read()} returns. A range that fits one
   * chunk is simply copied; a larger one is read lazily from a pinned RocksDB snapshot, released
   * when the result is garbage-collected or the store closes.
   */
  Iterable<Map.Entry<byte[], byte[]>> snapshotScan(ColumnFamilyHandle cf, byte[] from, byte[] to) {
    flush();
    ChunkedIterator first = new ChunkedIterator(cf, from, to, null);
    first.readChunk();
    List<Map.Entry<byte[], byte[]>> head = Collections.unmodifiableList(first.chunk);
    if (first.nextFrom == null) {
      return head;
    }
    // Nothing was written since the first chunk was read (flush above left no batch in flight), so
    // the snapshot continues exactly where the chunk ends.
    PinnedSnapshot snapshot = new PinnedSnapshot();
    Iterable<Map.Entry<byte[], byte[]>> view =
        new SnapshotView(cf, head, first.nextFrom, to, snapshot);
    SNAPSHOT_CLEANER.register(view, snapshot::release);
    return view;
  }

  /** Releases every pinned snapshot; call before closing the database. */
  void releaseSnapshots() {
    closing = true;
    for (PinnedSnapshot snapshot : new ArrayList<>(pinned)) {
      snapshot.release();
    }
  }

  /**
   * A range read: its first chunk, already read, then the rest from a pinned snapshot; its
   * iterators keep it, and so the snapshot, alive.
   */
  private final class SnapshotView implements Iterable<Map.Entry<byte[], byte[]>> {
    private final ColumnFamilyHandle cf;
    private final List<Map.Entry<byte[], byte[]>> head;
    private final byte[] rest;
    private final byte[] to;
    private final PinnedSnapshot snapshot;

    SnapshotView(
        ColumnFamilyHandle cf,
        List<Map.Entry<byte[], byte[]>> head,
        byte[] rest,
        byte[] to,
        PinnedSnapshot snapshot) {
      this.cf = cf;
      this.head = head;
      this.rest = rest;
      this.to = to;
      this.snapshot = snapshot;
    }

    @Override
    public Iterator<Map.Entry<byte[], byte[]>> iterator() {
      ChunkedIterator it = new ChunkedIterator(cf, rest, to, snapshot.snapshot);
      it.owner = this;
      it.chunk = head;
      return it;
    }
  }

  /** A RocksDB snapshot kept for lazy reads. */
  private final class PinnedSnapshot {
    private final Snapshot snapshot;
    private boolean released;

    PinnedSnapshot() {
      this.snapshot = db.getSnapshot();
      pinned.add(this);
    }

    synchronized void release() {
      if (!released) {
        released = true;
        db.releaseSnapshot(snapshot);
        pinned.remove(this);
      }
    }
  }

  private void checkStatus(RocksIterator it) {
    try {
      it.status();
    } catch (RocksDBException e) {
      throw new RocksDbStateException("RocksDB iteration failed", directory, e);
    }
  }

  private final class ChunkedIterator implements Iterator<Map.Entry<byte[], byte[]>> {
    private final ColumnFamilyHandle cf;
    private final @Nullable Snapshot snapshot;
    private final byte[] to;
    // Keeps a snapshot view reachable while it is iterated, so its snapshot is not released.
    @SuppressWarnings("unused")
    private @Nullable Object owner;
    private byte @Nullable [] nextFrom;
    private List<Map.Entry<byte[], byte[]>> chunk = List.of();
    private int index;

    ChunkedIterator(ColumnFamilyHandle cf, byte[] from, byte[] to, @Nullable Snapshot snapshot) {
      this.cf = cf;
      this.snapshot = snapshot;
      this.to = to;
      this.nextFrom = from;
    }

    @Override
    public boolean hasNext() {
      if (index < chunk.size()) {
        return true;
      }
      if (nextFrom == null) {
        return false;
      }
      readChunk();
      return index < chunk.size();
    }

    private void readChunk() {
      List<Map.Entry<byte[], byte[]>> read = new ArrayList<>();
      if (closing) {
        throw new RocksDbStateException("State read after the backend was closed: " + directory);
      }
      if (snapshot == null) {
        // A live scan sees every write made before each chunk is read, pending ones included.
        flush();
      }
      int limit = snapshot == null ? SCAN_CHUNK : SNAPSHOT_SCAN_CHUNK;
      long bytes = 0;
      boolean full = false;
      try (BoundedIterator bounded = new BoundedIterator(cf, to, snapshot)) {
        RocksIterator it = bounded.it;
        it.seek(nextFrom);
        while (it.isValid()) {
          if (read.size() == limit || bytes >= SCAN_CHUNK_BYTES) {
            full = true;
            break;
          }
          byte[] key = it.key();
          if (Arrays.compareUnsigned(key, to) >= 0) {
            break;
          }
          byte[] value = it.value();
          read.add(new SimpleImmutableEntry<>(key, value));
          bytes += key.length + value.length;
          it.next();
        }
        checkStatus(it);
      }
      chunk = read;
      index = 0;
      nextFrom = full ? KeyBytesWriter.successor(read.get(read.size() - 1).getKey()) : null;
    }

    @Override
    public Map.Entry<byte[], byte[]> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return chunk.get(index++);
    }
  }
}
