package dev.weir.state.rocksdb;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/** {@link RocksDbStore}'s batches applied by a writer thread, run here step by step. */
public class RocksDbStoreTest {
  static {
    RocksDB.loadLibrary();
  }

  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  /** Holds the writer's tasks until the test runs them, so "being applied" lasts as long as needed. */
  private final Queue<Runnable> writerTasks = new ArrayDeque<>();
  private final Executor heldWriter = writerTasks::add;

  private Path directory;
  private Options options;
  private WriteOptions writeOptions;
  private ReadOptions readOptions;
  private RocksDB db;
  private ColumnFamilyHandle cf;

  @Before
  public void open() throws Exception {
    directory = temp.newFolder().toPath();
    options = new Options().setCreateIfMissing(true);
    writeOptions = new WriteOptions().setDisableWAL(true);
    readOptions = new ReadOptions();
    db = RocksDB.open(options, directory.toString());
    cf = db.getDefaultColumnFamily();
  }

  @After
  public void close() {
    db.close();
    readOptions.close();
    writeOptions.close();
    options.close();
  }

  @Test
  public void pointReadsSeeAFullBatchWhileTheWriterIsStillApplyingIt() throws Exception {
    RocksDbStore store = new RocksDbStore(db, directory, writeOptions, readOptions, heldWriter);
    fillOneBatch(store, "v");
    assertEquals("the full batch went to the writer", 1, writerTasks.size());
    assertNull("and is not in RocksDB yet", db.get(cf, key(0)));

    assertArrayEquals(bytes("v0"), store.get(cf, key(0)));
    // A newer write or delete of the same key wins over the batch being applied.
    store.put(cf, key(1), bytes("newer"));
    store.delete(cf, key(2));
    assertArrayEquals(bytes("newer"), store.get(cf, key(1)));
    assertNull(store.get(cf, key(2)));

    writerTasks.remove().run();
    store.flush();
    assertArrayEquals(bytes("v0"), db.get(cf, key(0)));
    assertArrayEquals(bytes("newer"), db.get(cf, key(1)));
    assertNull(db.get(cf, key(2)));
    assertArrayEquals(bytes("v0"), store.get(cf, key(0)));
  }

  @Test
  public void appendsBeingAppliedStillMakeTheirCellNonEmpty() {
    RocksDbStore store = new RocksDbStore(db, directory, writeOptions, readOptions, heldWriter);
    byte[] prefix = bytes("bag/");
    // Appends fill a batch by their bytes; the bound only stops a broken store looping forever.
    for (int i = 0; writerTasks.isEmpty() && i < 10_000_000; i++) {
      store.append(cf, prefix, i, bytes("element " + i));
    }
    assertEquals(1, writerTasks.size());
    assertTrue(store.hasAppended(cf, prefix, KeyBytesWriter.prefixEnd(prefix)));
    writerTasks.remove().run();
  }

  @Test
  public void elementsOfABagAppendedInOneBatchAreStoredAsOneEntry() throws Exception {
    RocksDbStore store = new RocksDbStore(db, directory, writeOptions, readOptions, Runnable::run);
    for (int i = 0; i < 100; i++) {
      store.append(cf, bytes("bag-a/"), 2 * i, bytes("a" + i));
      store.append(cf, bytes("bag-b/"), 2 * i + 1, bytes("b" + i));
    }
    store.flush();
    int entries = 0;
    try (RocksIterator it = db.newIterator(cf)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        entries++;
      }
    }
    assertEquals(2, entries);
    // A later batch adds a second entry to a bag rather than rewriting the first.
    store.append(cf, bytes("bag-a/"), 1000, bytes("later"));
    store.flush();
    assertEquals(2, store.firstKeys(cf, bytes("bag-a/"), bytes("bag-a0"), 10).size());
  }

  @Test
  public void aReadForAUsuallyAbsentKeyFindsWhatIsStoredInTheMemtableOrInFiles() throws Exception {
    RocksDbStore store = new RocksDbStore(db, directory, writeOptions, readOptions, Runnable::run);
    store.put(cf, key(1), bytes("in memtable"));
    store.put(cf, key(2), bytes("in a file"));
    store.put(cf, key(3), bytes("deleted"));
    store.flush();
    try (FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
      db.flush(wait, cf);
    }
    store.put(cf, key(1), bytes("in memtable"));
    store.delete(cf, key(3));
    store.flush();

    assertArrayEquals(bytes("in memtable"), store.getUsuallyAbsent(cf, key(1)));
    assertArrayEquals(bytes("in a file"), store.getUsuallyAbsent(cf, key(2)));
    assertNull(store.getUsuallyAbsent(cf, key(3)));
    assertNull(store.getUsuallyAbsent(cf, key(4)));
    // Pending writes are seen first, as by get.
    store.put(cf, key(4), bytes("pending"));
    assertArrayEquals(bytes("pending"), store.getUsuallyAbsent(cf, key(4)));
  }

  @Test
  public void aFailedBatchFailsTheNextWriteAndEveryFlushNamingTheDirectory() {
    // Writes to a database opened read-only fail, as writes to a full disk do.
    db.close();
    try {
      db = RocksDB.openReadOnly(options, directory.toString());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    cf = db.getDefaultColumnFamily();
    RocksDbStore store = new RocksDbStore(db, directory, writeOptions, readOptions, Runnable::run);
    // The writer fails the full batch as the last write of it hands it over.
    fillOneBatch(store, "v");
    RocksDbStateException failure =
        assertThrows(RocksDbStateException.class, () -> store.put(cf, key(0), bytes("next")));
    assertThat(failure.getMessage(), containsString(directory.toString()));
    // The batch is not dropped and forgotten: every later flush and write fails too.
    assertThrows(RocksDbStateException.class, store::flush);
    assertThrows(RocksDbStateException.class, () -> store.put(cf, key(1), bytes("again")));
    store.awaitWriter();
  }

  @Test
  public void flushWaitsForTheBatchBeingApplied() throws Exception {
    RocksDbStore store = new RocksDbStore(db, directory, writeOptions, readOptions, heldWriter);
    fillOneBatch(store, "v");
    Runnable apply = writerTasks.remove();
    Thread writer = new Thread(apply);
    writer.start();
    store.flush();
    assertArrayEquals("flush returns only once the batch is in RocksDB", bytes("v7"), db.get(cf, key(7)));
    writer.join();
  }

  @Test
  public void aCachedReadIsAnsweredFromTheHeapAndWritesThroughTheStoreKeepItCurrent()
      throws Exception {
    RocksDbStore store = new RocksDbStore(db, directory, writeOptions, readOptions, Runnable::run);
    store.cachePointReads(1 << 20, cf);
    store.put(cf, key(1), bytes("one"));
    store.flush();
    assertArrayEquals(bytes("one"), store.get(cf, key(1)));
    assertNull(store.get(cf, key(2)));

    // Written behind the store's back: the cache answers, so the reads do not reach RocksDB.
    db.put(cf, key(1), bytes("behind"));
    db.put(cf, key(2), bytes("behind"));
    assertArrayEquals(bytes("one"), store.get(cf, key(1)));
    assertNull(store.get(cf, key(2)));

    // Writes through the store update the cached keys, before and after their batch is applied.
    store.put(cf, key(1), bytes("uno"));
    store.put(cf, key(2), bytes("dos"));
    assertArrayEquals(bytes("uno"), store.get(cf, key(1)));
    store.flush();
    assertArrayEquals(bytes("uno"), store.get(cf, key(1)));
    assertArrayEquals(bytes("dos"), store.get(cf, key(2)));
    store.delete(cf, key(1));
    store.flush();
    assertNull(store.get(cf, key(1)));
    db.put(cf, key(1), bytes("behind again"));
    assertNull("the delete is cached as an absence", store.get(cf, key(1)));
  }

  /**
   * Random writes, deletes, range deletes and reads over a small key space through a cache far
   * smaller than it, with full batches applied by a real writer thread: every read returns the
   * latest write.
   */
  @Test
  public void readsThroughASmallCacheAlwaysSeeTheLatestWrite() throws Exception {
    ExecutorService writer = Executors.newSingleThreadExecutor();
    try {
      RocksDbStore store = new RocksDbStore(db, directory, writeOptions, readOptions, writer);
      store.cachePointReads(32 << 10, cf);
      TreeMap<Integer, String> expected = new TreeMap<>();
      Random random = new Random(5);
      int keys = 3_000;
      for (int i = 0; i < 120_000; i++) {
        int k = random.nextInt(keys);
        int op = random.nextInt(100);
        if (op < 35) {
          String v = "v" + i;
          store.put(cf, key(k), bytes(v));
          expected.put(k, v);
        } else if (op < 45) {
          store.delete(cf, key(k));
          expected.remove(k);
        } else if (op < 46) {
          int to = Math.min(keys, k + random.nextInt(20));
          store.deleteRange(cf, key(k), key(to));
          expected.subMap(k, to).clear();
        } else {
          String v = expected.get(k);
          byte[] read = store.get(cf, key(k));
          if (v == null) {
            assertNull("key " + k + " at step " + i, read);
          } else {
            assertArrayEquals("key " + k + " at step " + i, bytes(v), read);
          }
        }
      }
      store.flush();
      for (int k = 0; k < keys; k++) {
        String v = expected.get(k);
        assertArrayEquals(v == null ? null : bytes(v), db.get(cf, key(k)));
      }
    } finally {
      writer.shutdown();
    }
  }

  private void fillOneBatch(RocksDbStore store, String valuePrefix) {
    for (int i = 0; i < PendingWrites.MAX_ENTRIES; i++) {
      store.put(cf, key(i), bytes(valuePrefix + i));
    }
  }

  private static byte[] key(int i) {
    return bytes(String.format("key-%08d", i));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
