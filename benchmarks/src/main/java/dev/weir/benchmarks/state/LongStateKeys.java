package dev.weir.benchmarks.state;

import dev.weir.state.KeyGroups;
import dev.weir.state.StateKey;
import java.util.Random;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.util.CoderUtils;

/**
 * Long keys the way the worker presents them to a backend: encoded with their coder
 * ({@link VarLongCoder}, nested context, which for VarLong is the same bytes), key group from
 * {@link KeyGroups}. Precomputed where a benchmark should time state access, not key encoding.
 */
public final class LongStateKeys {
  /** Key groups of every benchmark backend; one subtask owns them all. */
  public static final int MAX_PARALLELISM = 128;

  private LongStateKeys() {}

  public static StateKey of(long key) {
    byte[] bytes;
    try {
      bytes = CoderUtils.encodeToByteArray(VarLongCoder.of(), key);
    } catch (CoderException e) {
      throw new IllegalStateException("VarLongCoder cannot encode " + key, e);
    }
    return new StateKey(bytes, key, KeyGroups.keyGroupFor(bytes, MAX_PARALLELISM));
  }

  /** Seed of {@link #visitOrder}; the Flink benchmark in {@code benchmarks-flink} uses the same. */
  static final long VISIT_ORDER_SEED = 42;

  /**
   * Indexes {@code 0 .. count-1} in a fixed pseudo-random order, the order the benchmarks visit
   * keys in. Visiting keys by increasing number would favour a key encoding that sorts like the
   * number (Flink's big-endian longs: each access lands next to one a key group's rotation ago,
   * still in the CPU cache) over one that does not (Beam's VarLong); streams rarely arrive sorted.
   */
  static int[] visitOrder(int count) {
    int[] order = new int[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    Random random = new Random(VISIT_ORDER_SEED);
    for (int i = count - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }

  /** Keys {@code 0 .. count-1}, spread over all key groups by their hash. */
  static StateKey[] range(int count) {
    StateKey[] keys = new StateKey[count];
    for (int i = 0; i < count; i++) {
      keys[i] = of(i);
    }
    return keys;
  }
}
