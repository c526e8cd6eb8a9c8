package dev.weir.state.memory;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import org.apache.beam.sdk.state.TimeDomain;

/**
 * The identity of a timer: at most one timer is pending per slot. The namespace is its {@code
 * stringKey()}, the canonical form runners-core already defines.
 */
final class TimerSlot {
  /** Tie-break after the timestamp: key bytes, then namespace, id and family. */
  static final Comparator<TimerSlot> ORDER =
      Comparator.<TimerSlot, byte[]>comparing(s -> s.keyBytes, Arrays::compareUnsigned)
          .thenComparing(s -> s.namespace)
          .thenComparing(s -> s.timerId)
          .thenComparing(s -> s.timerFamilyId);

  final byte[] keyBytes;
  final String namespace;
  final String timerId;
  final String timerFamilyId;
  final TimeDomain domain;
  private final int hash;

  TimerSlot(
      byte[] keyBytes, String namespace, String timerId, String timerFamilyId, TimeDomain domain) {
    this.keyBytes = keyBytes;
    this.namespace = namespace;
    this.timerId = timerId;
    this.timerFamilyId = timerFamilyId;
    this.domain = domain;
    this.hash =
        31 * Arrays.hashCode(keyBytes) + Objects.hash(namespace, timerId, timerFamilyId, domain);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TimerSlot)) {
      return false;
    }
    TimerSlot that = (TimerSlot) o;
    return hash == that.hash
        && domain == that.domain
        && timerId.equals(that.timerId)
        && timerFamilyId.equals(that.timerFamilyId)
        && namespace.equals(that.namespace)
        && Arrays.equals(keyBytes, that.keyBytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
