package dev.weir.state.rocksdb;

import java.nio.file.Path;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteOptions;

/**
 * Byte-level access to one open RocksDB: point reads and writes and range scans, every failure
 * turned into a {@link RocksDbStateException} naming the directory.
 *
 * <p>Scans read in chunks, each through a short-lived native iterator, so a caller that stops
 * iterating half way leaks no native handle and a large bag is never held on the heap whole.
 */
final class RocksDbStore {
  /** Entries read per native iterator; big enough to amortise the seek, small for the heap. */
  static final int SCAN_CHUNK = 256;

  private final RocksDB db;
  private final Path directory;
  private final WriteOptions writeOptions;
  private final ReadOptions readOptions;

  RocksDbStore(RocksDB db, Path directory, WriteOptions writeOptions, ReadOptions readOptions) {
    this.db = db;
    this.directory = directory;
    this.writeOptions = writeOptions;
    this.readOptions = readOptions;
  }

  Path directory() {
    return directory;
  }

  RocksDB db() {
    return db;
  }

  @Nullable
  byte[] get(ColumnFamilyHandle cf, byte[] key) {
    try {
      return db.get(cf, readOptions, key);
    } catch (RocksDBException e) {
      throw new RocksDbStateException("RocksDB read failed", directory, e);
    }
  }

  void put(ColumnFamilyHandle cf, byte[] key, byte[] value) {
    try {
      db.put(cf, writeOptions, key, value);
    } catch (RocksDBException e) {
      throw new RocksDbStateException("RocksDB write failed", directory, e);
    }
  }

  void delete(ColumnFamilyHandle cf, byte[] key) {
    try {
      db.delete(cf, writeOptions, key);
    } catch (RocksDBException e) {
      throw new RocksDbStateException("RocksDB delete failed", directory, e);
    }
  }

  /** The first key in {@code [from, to)}, or null. */
  @Nullable
  byte[] firstKey(ColumnFamilyHandle cf, byte[] from, byte[] to) {
    try (BoundedIterator bounded = new BoundedIterator(cf, to)) {
      RocksIterator it = bounded.it;
      it.seek(from);
      if (it.isValid() && Arrays.compareUnsigned(it.key(), to) < 0) {
        return it.key();
      }
      checkStatus(it);
      return null;
    }
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

    BoundedIterator(ColumnFamilyHandle cf, byte[] to) {
      upperBound = new Slice(to);
      options = new ReadOptions().setIterateUpperBound(upperBound);
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
    return () -> new ChunkedIterator(cf, from, to);
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
    private final byte[] to;
    private byte @Nullable [] nextFrom;
    private List<Map.Entry<byte[], byte[]>> chunk = List.of();
    private int index;

    ChunkedIterator(ColumnFamilyHandle cf, byte[] from, byte[] to) {
      this.cf = cf;
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
      try (BoundedIterator bounded = new BoundedIterator(cf, to)) {
        RocksIterator it = bounded.it;
        it.seek(nextFrom);
        while (it.isValid() && read.size() < SCAN_CHUNK) {
          byte[] key = it.key();
          if (Arrays.compareUnsigned(key, to) >= 0) {
            break;
          }
          read.add(new SimpleImmutableEntry<>(key, it.value()));
          it.next();
        }
        checkStatus(it);
      }
      chunk = read;
      index = 0;
      nextFrom =
          read.size() == SCAN_CHUNK
              ? KeyBytesWriter.successor(read.get(read.size() - 1).getKey())
              : null;
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
