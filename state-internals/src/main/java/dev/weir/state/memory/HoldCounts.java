package dev.weir.state.memory;

import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * A multiset of watermark holds. Every hold cell and every pending timer registers its current
 * hold here, so the minimum is the first entry instead of a scan over all keys.
 */
final class HoldCounts {
  private final TreeMap<Instant, Integer> counts = new TreeMap<>();

  /** Replaces {@code previous} by {@code next}; either may be null for "no hold". */
  void replace(@Nullable Instant previous, @Nullable Instant next) {
    if (previous != null && previous.equals(next)) {
      return;
    }
    if (previous != null) {
      remove(previous);
    }
    if (next != null) {
      counts.merge(next, 1, Integer::sum);
    }
  }

  private void remove(Instant hold) {
    Integer count = counts.get(hold);
    if (count == null) {
      throw new IllegalStateException("Hold " + hold + " is not registered");
    }
    if (count == 1) {
      counts.remove(hold);
    } else {
      counts.put(hold, count - 1);
    }
  }

  Instant min() {
    Map.Entry<Instant, Integer> first = counts.firstEntry();
    return first == null ? BoundedWindow.TIMESTAMP_MAX_VALUE : first.getKey();
  }
}
