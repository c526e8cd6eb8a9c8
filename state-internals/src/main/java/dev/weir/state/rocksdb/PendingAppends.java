package dev.weir.state.rocksdb;

import java.util.Arrays;
import org.rocksdb.ColumnFamilyHandle;

/**
 * Bag elements not yet written to RocksDB, combined per bag: the elements one bag gets while a
 * batch fills become one RocksDB entry, a chunk, instead of one entry each. RocksDB's costs are
 * per entry (a memtable insert, then its share of every flush and compaction), so a bag that gets
 * ten elements per batch costs a tenth as much to write, and a tenth as many entries to read.
 *
 * <p>A chunk is stored under {@code prefix | sequence} like a single element used to be, its value
 * the elements each as a varint length and the coder's bytes ({@link BagChunks}). A chunk stops
 * growing at {@link #MAX_CHUNK_BYTES}, so reading a bag still never holds much of it at once.
 *
 * <p>Everything lives in one byte arena and a few int arrays, with no object per element: an
 * element costs its bytes plus at most nine, a bag its prefix plus about fifty. Only the task's
 * thread appends; once the batch is handed to the writer thread it is only read, by both.
 */
final class PendingAppends {
  /** A chunk takes no more elements once it holds this many bytes. */
  static final int MAX_CHUNK_BYTES = 16 << 10;

  /** Heap bytes per chunk besides its prefix: the per-chunk arrays and two table slots. */
  static final int CHUNK_OVERHEAD = 6 * 4 + 8 + 8 + 2 * 4 + 4;

  private static final int NO_NEXT = -1;

  // Per element: its successor's arena offset (4 bytes, NO_NEXT for the last), a varint length, and
  // the encoded element. Per chunk: its prefix.
  private byte[] arena = new byte[1 << 16];
  private int arenaSize;

  // Per chunk, in the order the chunks were started.
  private ColumnFamilyHandle[] family = new ColumnFamilyHandle[256];
  private int[] prefixAt = new int[256];
  private int[] prefixLength = new int[256];
  private int[] firstElement = new int[256];
  private int[] lastElement = new int[256];
  private int[] valueBytes = new int[256];
  private long[] sequence = new long[256];
  private int chunks;

  // Open addressing: slot -> 1 + the newest chunk of a (family, prefix), 0 when empty.
  private int[] table = new int[1024];
  private int[] tableHash = new int[1024];
  // The slots in use, so that clearing a small batch does not sweep a table grown for a large one.
  private int[] usedSlots = new int[512];
  private int used;

  /**
   * Adds {@code element} to the chunk of the bag under {@code prefix}, starting a chunk keyed by
   * {@code newSequence} if the bag has none in this batch or its chunk is full. Returns the heap
   * bytes this took.
   */
  int append(ColumnFamilyHandle cf, byte[] prefix, long newSequence, byte[] element) {
    int hash = hash(cf, prefix);
    int slot = find(cf, prefix, hash);
    int chunk = table[slot] - 1;
    int elementBytes = KeyBytesWriter.varIntSize(element.length) + element.length;
    int taken = 0;
    if (chunk < 0 || valueBytes[chunk] + elementBytes > MAX_CHUNK_BYTES) {
      if (chunk < 0 && (chunks + 1) * 2 > table.length) {
        grow();
        slot = find(cf, prefix, hash);
      }
      if (chunk < 0) {
        useSlot(slot);
      }
      chunk = startChunk(cf, prefix, newSequence);
      table[slot] = chunk + 1;
      tableHash[slot] = hash;
      taken += prefix.length + CHUNK_OVERHEAD;
    }
    int at = arenaSize;
    ensure(4 + elementBytes);
    writeInt(at, NO_NEXT);
    arenaSize += 4;
    writeVarInt(element.length);
    System.arraycopy(element, 0, arena, arenaSize, element.length);
    arenaSize += element.length;
    if (lastElement[chunk] == NO_NEXT) {
      firstElement[chunk] = at;
    } else {
      writeInt(lastElement[chunk], at);
    }
    lastElement[chunk] = at;
    valueBytes[chunk] += elementBytes;
    return taken + 4 + elementBytes;
  }

  /** Whether any element under {@code prefix} is pending. */
  boolean contains(ColumnFamilyHandle cf, byte[] prefix) {
    return chunks > 0 && table[find(cf, prefix, hash(cf, prefix))] != 0;
  }

  boolean isEmpty() {
    return chunks == 0;
  }

  int chunkCount() {
    return chunks;
  }

  /**
   * Calls {@code sink} once per chunk with its family, its RocksDB key ({@code prefix | sequence})
   * and its value, in the order the chunks were started.
   */
  void forEachChunk(ChunkSink sink) {
    for (int c = 0; c < chunks; c++) {
      byte[] key =
          new KeyBytesWriter(prefixLength[c] + 8)
              .bytes(arena, prefixAt[c], prefixLength[c])
              .orderedLong(sequence[c])
              .toBytes();
      byte[] value = new byte[valueBytes[c]];
      int filled = 0;
      for (int e = firstElement[c]; e != NO_NEXT; e = readInt(e)) {
        // The element's varint length and bytes follow its 4-byte link, stored as a chunk wants.
        int length = readVarInt(e + 4);
        int stored = KeyBytesWriter.varIntSize(length) + length;
        System.arraycopy(arena, e + 4, value, filled, stored);
        filled += stored;
      }
      sink.accept(family[c], key, value);
    }
  }

  /** What {@link #forEachChunk} calls. */
  interface ChunkSink {
    void accept(ColumnFamilyHandle cf, byte[] key, byte[] value);
  }

  /** Forgets every chunk, keeping the arrays for the next batch. */
  void clear() {
    if (chunks == 0) {
      return;
    }
    if (used * 8 < table.length) {
      for (int i = 0; i < used; i++) {
        table[usedSlots[i]] = 0;
      }
    } else {
      Arrays.fill(table, 0);
    }
    used = 0;
    Arrays.fill(family, 0, chunks, null);
    chunks = 0;
    arenaSize = 0;
  }

  private int startChunk(ColumnFamilyHandle cf, byte[] prefix, long newSequence) {
    if (chunks == family.length) {
      int n = chunks * 2;
      family = Arrays.copyOf(family, n);
      prefixAt = Arrays.copyOf(prefixAt, n);
      prefixLength = Arrays.copyOf(prefixLength, n);
      firstElement = Arrays.copyOf(firstElement, n);
      lastElement = Arrays.copyOf(lastElement, n);
      valueBytes = Arrays.copyOf(valueBytes, n);
      sequence = Arrays.copyOf(sequence, n);
    }
    int chunk = chunks++;
    ensure(prefix.length);
    System.arraycopy(prefix, 0, arena, arenaSize, prefix.length);
    family[chunk] = cf;
    prefixAt[chunk] = arenaSize;
    prefixLength[chunk] = prefix.length;
    arenaSize += prefix.length;
    firstElement[chunk] = NO_NEXT;
    lastElement[chunk] = NO_NEXT;
    valueBytes[chunk] = 0;
    sequence[chunk] = newSequence;
    return chunk;
  }

  /** The slot holding (cf, prefix), or the empty slot where it belongs. */
  private int find(ColumnFamilyHandle cf, byte[] prefix, int hash) {
    int mask = table.length - 1;
    for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
      int entry = table[slot];
      if (entry == 0) {
        return slot;
      }
      int c = entry - 1;
      if (tableHash[slot] == hash
          && family[c] == cf
          && Arrays.equals(
              arena, prefixAt[c], prefixAt[c] + prefixLength[c], prefix, 0, prefix.length)) {
        return slot;
      }
    }
  }

  /** Doubles the table; only the newest chunk of each bag is in it. */
  private void grow() {
    int[] oldTable = table;
    int[] oldHash = tableHash;
    table = new int[oldTable.length * 2];
    tableHash = new int[oldTable.length * 2];
    int mask = table.length - 1;
    used = 0;
    for (int s = 0; s < oldTable.length; s++) {
      if (oldTable[s] != 0) {
        int slot = oldHash[s] & mask;
        while (table[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        table[slot] = oldTable[s];
        tableHash[slot] = oldHash[s];
        useSlot(slot);
      }
    }
  }

  private void useSlot(int slot) {
    if (used == usedSlots.length) {
      usedSlots = Arrays.copyOf(usedSlots, used * 2);
    }
    usedSlots[used++] = slot;
  }

  private static int hash(ColumnFamilyHandle cf, byte[] prefix) {
    int h = Arrays.hashCode(prefix) * 31 + System.identityHashCode(cf);
    // Spread the bits: the table index uses the low ones.
    return h ^ (h >>> 16);
  }

  private void ensure(int more) {
    if (arenaSize + more > arena.length) {
      arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaSize + more));
    }
  }

  private void writeInt(int at, int value) {
    arena[at] = (byte) (value >>> 24);
    arena[at + 1] = (byte) (value >>> 16);
    arena[at + 2] = (byte) (value >>> 8);
    arena[at + 3] = (byte) value;
  }

  private int readInt(int at) {
    return (arena[at] << 24)
        | ((arena[at + 1] & 0xff) << 16)
        | ((arena[at + 2] & 0xff) << 8)
        | (arena[at + 3] & 0xff);
  }

  private void writeVarInt(int value) {
    while ((value & ~0x7f) != 0) {
      arena[arenaSize++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    arena[arenaSize++] = (byte) value;
  }

  private int readVarInt(int at) {
    int value = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = arena[at++];
      value |= (b & 0x7f) << shift;
      if (b >= 0) {
        return value;
      }
    }
  }
}
