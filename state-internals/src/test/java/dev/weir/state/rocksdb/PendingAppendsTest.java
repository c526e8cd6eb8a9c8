package dev.weir.state.rocksdb;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

public class PendingAppendsTest {
  @ClassRule public static final TemporaryFolder TEMP = new TemporaryFolder();
  // Handles of a real database: chunks only compare them, but they must be distinct objects.
  private static RocksDB db;
  private static ColumnFamilyHandle family;
  private static ColumnFamilyHandle otherFamily;

  /** Chunks as forEachChunk gives them. */
  private static final class Chunk {
    final ColumnFamilyHandle cf;
    final byte[] key;
    final byte[] value;

    Chunk(ColumnFamilyHandle cf, byte[] key, byte[] value) {
      this.cf = cf;
      this.key = key;
      this.value = value;
    }

    List<String> elements() {
      List<String> out = new ArrayList<>();
      BagChunks.elements(
              List.<Map.Entry<byte[], byte[]>>of(new SimpleImmutableEntry<>(key, value)),
              StringUtf8Coder.of())
          .forEach(out::add);
      return out;
    }
  }

  @BeforeClass
  public static void open() throws Exception {
    RocksDB.loadLibrary();
    try (Options options = new Options().setCreateIfMissing(true)) {
      db = RocksDB.open(options, TEMP.newFolder().getPath());
    }
    family = db.getDefaultColumnFamily();
    otherFamily = db.createColumnFamily(new ColumnFamilyDescriptor(bytes("other")));
  }

  @AfterClass
  public static void close() {
    otherFamily.close();
    db.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] element(String s) {
    return RocksDbCell.encode(StringUtf8Coder.of(), s);
  }

  private static List<Chunk> chunks(PendingAppends appends) {
    List<Chunk> out = new ArrayList<>();
    appends.forEachChunk((cf, key, value) -> out.add(new Chunk(cf, key, value)));
    return out;
  }

  private static byte[] key(String prefix, long sequence) {
    return new KeyBytesWriter(16).bytes(bytes(prefix)).orderedLong(sequence).toBytes();
  }

  @Test
  public void interleavedElementsOfSeveralBagsBecomeOneChunkPerBagInAddOrder() {
    PendingAppends appends = new PendingAppends();
    appends.append(family, bytes("a"), 10, element("a1"));
    appends.append(family, bytes("b"), 11, element("b1"));
    appends.append(family, bytes("a"), 12, element("a2"));
    appends.append(otherFamily, bytes("a"), 13, element("other"));
    appends.append(family, bytes("b"), 14, element("b2"));
    appends.append(family, bytes("a"), 15, element("a3"));

    List<Chunk> chunks = chunks(appends);
    assertEquals(3, chunks.size());
    // Each chunk is keyed by the sequence number given with its first element.
    assertArrayEquals(key("a", 10), chunks.get(0).key);
    assertThat(chunks.get(0).elements(), contains("a1", "a2", "a3"));
    assertArrayEquals(key("b", 11), chunks.get(1).key);
    assertThat(chunks.get(1).elements(), contains("b1", "b2"));
    assertEquals(otherFamily, chunks.get(2).cf);
    assertThat(chunks.get(2).elements(), contains("other"));
    assertTrue(appends.contains(family, bytes("b")));
    assertTrue(appends.contains(otherFamily, bytes("a")));
    assertFalse(appends.contains(otherFamily, bytes("b")));
    assertFalse(appends.contains(family, bytes("ab")));
  }

  @Test
  public void aFullChunkIsFollowedByANewOneUnderTheNextSequenceNumber() {
    PendingAppends appends = new PendingAppends();
    String big = "z".repeat(PendingAppends.MAX_CHUNK_BYTES / 3);
    for (int i = 0; i < 5; i++) {
      appends.append(family, bytes("bag"), 100 + i, element(i + big));
    }
    List<Chunk> chunks = chunks(appends);
    // Two elements fit a chunk, a third would overflow it.
    assertEquals(3, chunks.size());
    assertArrayEquals(key("bag", 100), chunks.get(0).key);
    assertThat(chunks.get(0).elements(), contains(0 + big, 1 + big));
    assertArrayEquals(key("bag", 102), chunks.get(1).key);
    assertThat(chunks.get(1).elements(), contains(2 + big, 3 + big));
    assertArrayEquals(key("bag", 104), chunks.get(2).key);
    assertThat(chunks.get(2).elements(), contains(4 + big));
    for (Chunk chunk : chunks) {
      assertTrue(chunk.value.length <= PendingAppends.MAX_CHUNK_BYTES);
    }
  }

  @Test
  public void manyBagsKeepTheirElementsApartAndClearLeavesNothingBehind() {
    PendingAppends appends = new PendingAppends();
    int bags = 20_000;
    for (int round = 0; round < 2; round++) {
      for (int b = 0; b < bags; b++) {
        appends.append(family, bytes("bag" + b), b, element(b + "/" + round));
      }
    }
    List<Chunk> chunks = chunks(appends);
    assertEquals(bags, chunks.size());
    for (int b = 0; b < bags; b++) {
      assertArrayEquals(key("bag" + b, b), chunks.get(b).key);
      assertThat(chunks.get(b).elements(), contains(b + "/0", b + "/1"));
    }

    appends.clear();
    assertTrue(appends.isEmpty());
    assertFalse(appends.contains(family, bytes("bag7")));
    appends.append(family, bytes("bag7"), 99, element("again"));
    chunks = chunks(appends);
    assertEquals(1, chunks.size());
    assertArrayEquals(key("bag7", 99), chunks.get(0).key);
    assertThat(chunks.get(0).elements(), contains("again"));
  }

  @Test
  public void appendReportsTheHeapBytesItTook() {
    PendingAppends appends = new PendingAppends();
    int first = appends.append(family, bytes("bag"), 1, new byte[10]);
    int second = appends.append(family, bytes("bag"), 2, new byte[10]);
    // A link, a one-byte length and the element; the first also pays for its chunk.
    assertEquals(4 + 1 + 10, second);
    assertEquals(second + 3 + PendingAppends.CHUNK_OVERHEAD, first);
  }
}
