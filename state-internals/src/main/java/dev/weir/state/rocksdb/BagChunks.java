package dev.weir.state.rocksdb;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;

/**
 * Reads the stored form of a bag: RocksDB entries (chunks), each holding one or more elements as
 * a varint length and the element's coder bytes, written by {@link PendingAppends}. Elements are
 * decoded one at a time as the caller iterates, chunk after chunk.
 */
final class BagChunks {
  private BagChunks() {}

  /** The elements of {@code chunks}, in chunk order and in order within each chunk. */
  static <T> Iterable<T> elements(Iterable<Map.Entry<byte[], byte[]>> chunks, Coder<T> coder) {
    return new Iterable<T>() {
      @Override
      public Iterator<T> iterator() {
        return new ElementIterator<>(chunks.iterator(), coder);
      }

      @Override
      public String toString() {
        return DecodingIterable.describe(this);
      }
    };
  }

  private static final class ElementIterator<T> implements Iterator<T> {
    private final Iterator<Map.Entry<byte[], byte[]>> chunks;
    private final Coder<T> coder;
    private byte[] chunk = new byte[0];
    private int position;

    ElementIterator(Iterator<Map.Entry<byte[], byte[]>> chunks, Coder<T> coder) {
      this.chunks = chunks;
      this.coder = coder;
    }

    @Override
    public boolean hasNext() {
      while (position == chunk.length) {
        if (!chunks.hasNext()) {
          return false;
        }
        chunk = chunks.next().getValue();
        position = 0;
      }
      return true;
    }

    @Override
    public T next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      int length = 0;
      for (int shift = 0; ; shift += 7) {
        byte b = chunk[position++];
        length |= (b & 0x7f) << shift;
        if (b >= 0) {
          break;
        }
      }
      int start = position;
      position += length;
      if (length < 0 || position > chunk.length) {
        throw new IllegalStateException(
            "Corrupt bag chunk: element of "
                + length
                + " bytes at "
                + start
                + " of "
                + chunk.length);
      }
      return RocksDbCell.decode(coder, Arrays.copyOfRange(chunk, start, position));
    }
  }
}
