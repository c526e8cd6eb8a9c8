package dev.weir.state.rocksdb;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedTimer;
import dev.weir.state.StateKey;
import dev.weir.state.TimerStore;
import java.util.Arrays;
import java.util.EnumMap;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;
import org.rocksdb.ColumnFamilyHandle;

/**
 * Pending timers in two column families.
 *
 * <ul>
 *   <li>{@code timers-by-id}: {@code keyGroup | key | namespace | id | family | domain} →
 *       {@code timestamp | output timestamp}. Setting replaces, deleting needs no scan.
 *   <li>{@code timers-by-time}: {@code keyGroup | domain | timestamp | id-key without key group} →
 *       {@code output timestamp}. Per domain and key group the first key is the next timer.
 * </ul>
 *
 * Output timestamps are registered in the {@link RocksDbHoldIndex}.
 */
final class RocksDbTimerQueue implements TimerStore {
  private final RocksDbStore store;
  private final ColumnFamilyHandle byId;
  private final ColumnFamilyHandle byTime;
  private final RocksDbHoldIndex holds;
  private final Coder<? extends BoundedWindow> windowCoder;
  private final EnumMap<TimeDomain, KeyGroupHeads> heads = new EnumMap<>(TimeDomain.class);
  private final CellNames names = new CellNames();

  RocksDbTimerQueue(
      RocksDbStore store,
      ColumnFamilyHandle byId,
      ColumnFamilyHandle byTime,
      RocksDbHoldIndex holds,
      KeyGroupRange range,
      Coder<? extends BoundedWindow> windowCoder) {
    this.store = store;
    this.byId = byId;
    this.byTime = byTime;
    this.holds = holds;
    this.windowCoder = windowCoder;
    for (TimeDomain domain : TimeDomain.values()) {
      heads.put(
          domain, new KeyGroupHeads(store, byTime, range, new byte[] {(byte) domain.ordinal()}));
    }
  }

  private byte[] idKey(
      StateKey key, StateNamespace namespace, String timerId, String family, TimeDomain domain) {
    byte[] namespaceBytes = names.namespace(namespace);
    byte[] timerIdBytes = names.id(timerId);
    byte[] familyBytes = names.id(family);
    return new KeyBytesWriter(
            key.bytes().length
                + namespaceBytes.length
                + timerIdBytes.length
                + familyBytes.length
                + 20)
        .keyGroup(key.keyGroup())
        .lengthPrefixed(key.bytes())
        .lengthPrefixed(namespaceBytes)
        .lengthPrefixed(timerIdBytes)
        .lengthPrefixed(familyBytes)
        .oneByte(domain.ordinal())
        .toBytes();
  }

  private static byte[] timeKey(byte[] idKey, TimeDomain domain, long timestamp) {
    return new KeyBytesWriter(idKey.length + 9)
        .bytes(new byte[] {idKey[0], idKey[1]})
        .oneByte(domain.ordinal())
        .orderedLong(timestamp)
        .bytes(idKey, 2)
        .toBytes();
  }

  @Override
  public void set(StateKey key, TimerData timer) {
    byte[] id =
        idKey(
            key,
            timer.getNamespace(),
            timer.getTimerId(),
            timer.getTimerFamilyId(),
            timer.getDomain());
    byte[] times =
        new KeyBytesWriter(16)
            .orderedLong(timer.getTimestamp().getMillis())
            .orderedLong(timer.getOutputTimestamp().getMillis())
            .toBytes();
    // Runners re-set the same timer per element (e.g. the garbage-collection timer of a
    // stateful DoFn): one read instead of rewriting three indexes. Re-sets are mostly found in
    // the pending batch; a read that reaches RocksDB is mostly for a timer set anew or after it
    // fired, which is not there.
    byte[] stored = store.getUsuallyAbsent(byId, id);
    if (Arrays.equals(stored, times)) {
      return;
    }
    removeIndexes(id, stored, timer.getDomain());
    store.put(byId, id, times);
    byte[] time = timeKey(id, timer.getDomain(), timer.getTimestamp().getMillis());
    store.put(byTime, time, new byte[0]);
    heads.get(timer.getDomain()).added(time);
    holds.add(timer.getOutputTimestamp(), RocksDbHoldIndex.KIND_TIMER, id);
  }

  @Override
  public void delete(
      StateKey key,
      StateNamespace namespace,
      String timerId,
      String timerFamilyId,
      TimeDomain domain) {
    byte[] id = idKey(key, namespace, timerId, timerFamilyId, domain);
    if (removeIndexes(id, store.get(byId, id), domain)) {
      store.delete(byId, id);
    }
  }

  /**
   * Removes the by-time and hold entries of the timer stored under {@code id} with {@code times}
   * (its by-id value, null if there is none).
   */
  private boolean removeIndexes(byte[] id, byte @Nullable [] times, TimeDomain domain) {
    if (times == null) {
      return false;
    }
    long timestamp = KeyBytesWriter.readOrderedLong(times, 0);
    Instant output = new Instant(KeyBytesWriter.readOrderedLong(times, 8));
    byte[] time = timeKey(id, domain, timestamp);
    store.delete(byTime, time);
    heads.get(domain).removed(time);
    holds.remove(output, RocksDbHoldIndex.KIND_TIMER, id);
    return true;
  }

  @Nullable
  KeyedTimer pollDue(TimeDomain domain, Instant upTo) {
    byte[] time = heads.get(domain).first();
    if (time == null || KeyBytesWriter.readOrderedLong(time, 3) > upTo.getMillis()) {
      return null;
    }
    byte[] id =
        new KeyBytesWriter(time.length - 9)
            .bytes(new byte[] {time[0], time[1]})
            .bytes(Arrays.copyOfRange(time, 11, time.length))
            .toBytes();
    byte[] times = store.get(byId, id);
    if (times == null) {
      throw new RocksDbStateException(
          "Timer index out of sync in " + store.directory() + ": by-time entry without by-id entry");
    }
    Instant timestamp = new Instant(KeyBytesWriter.readOrderedLong(times, 0));
    Instant output = new Instant(KeyBytesWriter.readOrderedLong(times, 8));
    store.delete(byTime, time);
    heads.get(domain).removed(time);
    store.delete(byId, id);
    holds.remove(output, RocksDbHoldIndex.KIND_TIMER, id);

    KeyBytesReader reader = new KeyBytesReader(id, 2);
    byte[] keyBytes = reader.lengthPrefixed();
    StateNamespace namespace =
        StateNamespaces.fromString(reader.lengthPrefixedString(), windowCoder);
    String timerId = reader.lengthPrefixedString();
    String family = reader.lengthPrefixedString();
    return new KeyedTimer(
        keyBytes, TimerData.of(timerId, family, namespace, timestamp, output, domain));
  }

  @Nullable
  Instant nextTimestamp(TimeDomain domain) {
    byte[] time = heads.get(domain).first();
    return time == null ? null : new Instant(KeyBytesWriter.readOrderedLong(time, 3));
  }
}
