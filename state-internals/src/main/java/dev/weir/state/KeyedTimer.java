package dev.weir.state;

import org.apache.beam.runners.core.TimerInternals.TimerData;

/** A timer that is due, with the canonical bytes of the key it belongs to. */
public final class KeyedTimer {
  private final byte[] keyBytes;
  private final TimerData timer;

  public KeyedTimer(byte[] keyBytes, TimerData timer) {
    this.keyBytes = keyBytes;
    this.timer = timer;
  }

  public byte[] keyBytes() {
    return keyBytes;
  }

  public TimerData timer() {
    return timer;
  }
}
