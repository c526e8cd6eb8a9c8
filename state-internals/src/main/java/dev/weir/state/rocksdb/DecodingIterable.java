package dev.weir.state.rocksdb;

import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;

/** A lazy view that decodes stored entries one by one as the caller iterates. */
final class DecodingIterable<T> implements Iterable<T> {
  private final Iterable<Map.Entry<byte[], byte[]>> entries;
  private final Function<Map.Entry<byte[], byte[]>, T> decoder;

  DecodingIterable(
      Iterable<Map.Entry<byte[], byte[]>> entries, Function<Map.Entry<byte[], byte[]>, T> decoder) {
    this.entries = entries;
    this.decoder = decoder;
  }

  @Override
  public Iterator<T> iterator() {
    Iterator<Map.Entry<byte[], byte[]>> it = entries.iterator();
    return new Iterator<T>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public T next() {
        return decoder.apply(it.next());
      }
    };
  }

  @Override
  public String toString() {
    return describe(this);
  }

  /** {@code [a, b, c]}: how the lazy views of cells print, read through once. */
  static String describe(Iterable<?> values) {
    StringBuilder out = new StringBuilder("[");
    for (Object value : values) {
      out.append(out.length() > 1 ? ", " : "").append(value);
    }
    return out.append(']').toString();
  }
}
