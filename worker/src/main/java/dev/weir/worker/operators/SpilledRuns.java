package dev.weir.worker.operators;

import dev.weir.state.StateKey;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.WindowedValue;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Values of a bounded input that outgrew memory, on local disk as runs sorted by key bytes, to be
 * read back merged: every key once, with all its values. It is the external sort of a batch
 * runner's grouping; without it the values past memory went through keyed state one bundle at a
 * time, where a key's session windows pile up (the watermark does not move until the end) and are
 * read and written again per bundle, so the cost grew with the square of the input.
 *
 * <p>A run is a file of records {@code [key length][key bytes][value count][values]}, values in
 * the full windowed-value coder's nested encoding, keys in unsigned byte order, then a length of
 * -1. Within a key the values keep their arrival order: runs are read in the order they were
 * written, and the values still in memory, the newest, come last.
 *
 * <p>Used by one subtask thread. Its files are scratch: nothing here is in a checkpoint, which is
 * why only a job without checkpoints holds a bounded input for its end.
 */
final class SpilledRuns implements AutoCloseable {
  private static final int BUFFER_BYTES = 1 << 16;
  private static final Comparator<byte[]> KEY_ORDER = Arrays::compareUnsigned;

  private final Path parent;
  private final Coder<WindowedValue<Object>> coder;
  private final Function<byte[], StateKey> keys;
  private final List<Path> runs = new ArrayList<>();
  private @Nullable Path directory;
  private long spilledValues;

  /**
   * Runs go to a new directory under {@code parent}, made at the first spill; values are written
   * with {@code coder}, and keys read back become {@link StateKey}s through {@code keys}.
   */
  SpilledRuns(
      Path parent, Coder<WindowedValue<Object>> coder, Function<byte[], StateKey> keys) {
    this.parent = parent;
    this.coder = coder;
    this.keys = keys;
  }

  boolean isEmpty() {
    return runs.isEmpty();
  }

  /** Values written to disk so far. */
  long spilledValues() {
    return spilledValues;
  }

  /** Writes {@code groups} as one more run. */
  void write(Map<StateKey, List<WindowedValue<Object>>> groups) {
    List<Map.Entry<StateKey, List<WindowedValue<Object>>>> sorted = sortedByKey(groups);
    try {
      if (directory == null) {
        Files.createDirectories(parent);
        directory = Files.createTempDirectory(parent, "weir-grouping-");
      }
      Path run = directory.resolve("run-" + runs.size());
      runs.add(run);
      try (DataOutputStream out =
          new DataOutputStream(
              new BufferedOutputStream(Files.newOutputStream(run), BUFFER_BYTES))) {
        for (Map.Entry<StateKey, List<WindowedValue<Object>>> group : sorted) {
          byte[] key = group.getKey().bytes();
          out.writeInt(key.length);
          out.write(key);
          out.writeInt(group.getValue().size());
          for (WindowedValue<Object> value : group.getValue()) {
            coder.encode(value, out);
          }
          spilledValues += group.getValue().size();
        }
        out.writeInt(-1);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot spill grouped values under " + parent, e);
    }
  }

  /**
   * Every key of the runs and of {@code inMemory} (values that came after the last run) with all
   * its values, in key byte order. Reading to the end closes the runs; {@link #close} deletes them.
   */
  Iterator<Map.Entry<StateKey, List<WindowedValue<Object>>>> merged(
      Map<StateKey, List<WindowedValue<Object>>> inMemory) {
    PriorityQueue<Source> sources =
        new PriorityQueue<>(
            Comparator.comparing((Source s) -> s.key, KEY_ORDER).thenComparingInt(s -> s.order));
    try {
      for (int i = 0; i < runs.size(); i++) {
        RunReader reader = new RunReader(runs.get(i), i);
        if (reader.advance()) {
          sources.add(reader);
        } else {
          reader.close();
        }
      }
      Source memory = new MemorySource(sortedByKey(inMemory).iterator(), runs.size());
      if (memory.advance()) {
        sources.add(memory);
      }
    } catch (IOException e) {
      closeAll(sources);
      throw new UncheckedIOException("Cannot read spilled grouped values", e);
    }
    runs.clear();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return !sources.isEmpty();
      }

      @Override
      public Map.Entry<StateKey, List<WindowedValue<Object>>> next() {
        if (sources.isEmpty()) {
          throw new NoSuchElementException();
        }
        try {
          Source first = sources.poll();
          StateKey key = first.stateKey();
          List<WindowedValue<Object>> values = new ArrayList<>();
          first.readValues(values);
          requeue(first);
          while (!sources.isEmpty() && Arrays.equals(sources.peek().key, key.bytes())) {
            Source same = sources.poll();
            same.readValues(values);
            requeue(same);
          }
          return new AbstractMap.SimpleImmutableEntry<>(key, values);
        } catch (IOException e) {
          closeAll(sources);
          sources.clear();
          throw new UncheckedIOException("Cannot read spilled grouped values", e);
        }
      }

      private void requeue(Source source) throws IOException {
        if (source.advance()) {
          sources.add(source);
        } else {
          source.close();
        }
      }
    };
  }

  /** Deletes the runs and their directory. */
  @Override
  public void close() {
    runs.clear();
    if (directory == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete spilled grouped values in " + directory, e);
    }
    directory = null;
  }

  private static List<Map.Entry<StateKey, List<WindowedValue<Object>>>> sortedByKey(
      Map<StateKey, List<WindowedValue<Object>>> groups) {
    List<Map.Entry<StateKey, List<WindowedValue<Object>>>> sorted =
        new ArrayList<>(groups.entrySet());
    sorted.sort(Map.Entry.comparingByKey(Comparator.comparing(StateKey::bytes, KEY_ORDER)));
    return sorted;
  }

  private static void closeAll(Iterable<Source> sources) {
    for (Source source : sources) {
      try {
        source.close();
      } catch (IOException ignored) {
        // Already failing; the directory goes at close().
      }
    }
  }

  /** A sorted sequence of keys with their values; {@code order} breaks ties between sources. */
  private abstract static class Source {
    final int order;
    byte[] key;

    Source(int order) {
      this.order = order;
    }

    /** Moves to the next key; false at the end. */
    abstract boolean advance() throws IOException;

    abstract StateKey stateKey();

    /** Adds the current key's values to {@code into}. */
    abstract void readValues(List<WindowedValue<Object>> into) throws IOException;

    void close() throws IOException {}
  }

  private final class RunReader extends Source {
    private final DataInputStream in;
    private int count;

    RunReader(Path run, int order) throws IOException {
      super(order);
      this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(run), BUFFER_BYTES));
    }

    @Override
    boolean advance() throws IOException {
      int length = in.readInt();
      if (length < 0) {
        return false;
      }
      key = new byte[length];
      in.readFully(key);
      count = in.readInt();
      return true;
    }

    @Override
    StateKey stateKey() {
      return keys.apply(key);
    }

    @Override
    void readValues(List<WindowedValue<Object>> into) throws IOException {
      for (int i = 0; i < count; i++) {
        into.add(coder.decode(in));
      }
    }

    @Override
    void close() throws IOException {
      in.close();
    }
  }

  private static final class MemorySource extends Source {
    private final Iterator<Map.Entry<StateKey, List<WindowedValue<Object>>>> entries;
    private Map.Entry<StateKey, List<WindowedValue<Object>>> current;

    MemorySource(Iterator<Map.Entry<StateKey, List<WindowedValue<Object>>>> entries, int order) {
      super(order);
      this.entries = entries;
    }

    @Override
    boolean advance() {
      if (!entries.hasNext()) {
        return false;
      }
      current = entries.next();
      key = current.getKey().bytes();
      return true;
    }

    @Override
    StateKey stateKey() {
      return current.getKey();
    }

    @Override
    void readValues(List<WindowedValue<Object>> into) {
      into.addAll(current.getValue());
    }
  }
}
