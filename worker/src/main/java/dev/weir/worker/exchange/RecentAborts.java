package dev.weir.worker.exchange;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids (jobs, or job attempts) an exchange endpoint aborted most recently, at most {@code
 * capacity} of them; adding one more forgets the oldest. An abort is remembered only to refuse a
 * straggler of the aborted job that tries to open a channel after the abort, which happens within
 * moments of it, so a long-lived worker need not remember every job it ever ran. Not thread-safe:
 * the exchange guards it with its registry lock.
 */
final class RecentAborts {
  private final int capacity;
  private final LinkedHashMap<String, Boolean> ids;

  RecentAborts(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
    // Insertion order: aborting an id again moves it to the newest end (see add).
    this.ids =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > RecentAborts.this.capacity;
          }
        };
  }

  /** Remembers {@code id} as the newest abort, forgetting the oldest one beyond the capacity. */
  void add(String id) {
    ids.remove(id);
    ids.put(id, Boolean.TRUE);
  }

  boolean contains(String id) {
    return ids.containsKey(id);
  }

  int size() {
    return ids.size();
  }
}
