package dev.weir.state.rocksdb;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/** {@link WriteBatchBytes} against the batches RocksDB builds itself, and applied to a database. */
public class WriteBatchBytesTest {
  static {
    RocksDB.loadLibrary();
  }

  /** Enough column families that some ids need a two-byte varint. */
  private static final int FAMILIES = 140;

  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private Options options;
  private RocksDB db;
  private final List<ColumnFamilyHandle> handles = new ArrayList<>();

  @Before
  public void open() throws Exception {
    options = new Options().setCreateIfMissing(true);
    db = RocksDB.open(options, temp.newFolder().getPath());
    handles.add(db.getDefaultColumnFamily());
    for (int i = 1; i < FAMILIES; i++) {
      handles.add(db.createColumnFamily(new ColumnFamilyDescriptor(bytes("cf-" + i))));
    }
  }

  @After
  public void close() {
    for (ColumnFamilyHandle handle : handles.subList(1, handles.size())) {
      handle.close();
    }
    db.close();
    options.close();
  }

  @Test
  public void encodesPutsAndDeletesByteForByteAsRocksDbDoes() throws Exception {
    Random random = new Random(7);
    WriteBatchBytes ours = new WriteBatchBytes(16);
    try (WriteBatch theirs = new WriteBatch()) {
      for (int i = 0; i < 3_000; i++) {
        ColumnFamilyHandle family = handles.get(random.nextInt(FAMILIES));
        // Keys and values past 127 bytes need multi-byte length varints.
        byte[] key = new byte[random.nextInt(200)];
        random.nextBytes(key);
        if (random.nextInt(3) == 0) {
          ours.delete(family.getID(), key);
          theirs.delete(family, key);
        } else {
          byte[] value = new byte[random.nextInt(400)];
          random.nextBytes(value);
          ours.put(family.getID(), key, value);
          theirs.put(family, key, value);
        }
      }
      try (WriteBatch built = ours.toWriteBatch()) {
        assertEquals(theirs.count(), built.count());
        assertArrayEquals(theirs.data(), built.data());
      }
    }
  }

  @Test
  public void anAppliedBatchWritesAndDeletesInEachColumnFamily() throws Exception {
    ColumnFamilyHandle other = handles.get(FAMILIES - 1);
    db.put(other, bytes("gone"), bytes("old"));
    WriteBatchBytes batch = new WriteBatchBytes(16);
    batch.put(0, bytes("a"), bytes("in default"));
    batch.put(other.getID(), bytes("a"), bytes("in other"));
    batch.delete(other.getID(), bytes("gone"));
    try (WriteOptions write = new WriteOptions();
        WriteBatch built = batch.toWriteBatch()) {
      db.write(write, built);
    }
    assertArrayEquals(bytes("in default"), db.get(bytes("a")));
    assertArrayEquals(bytes("in other"), db.get(other, bytes("a")));
    assertNull(db.get(other, bytes("gone")));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
