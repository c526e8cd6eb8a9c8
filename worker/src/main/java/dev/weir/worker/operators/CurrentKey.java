package dev.weir.worker.operators;

import dev.weir.state.KeyGroups;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.StateKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StepContext;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.State;
import org.apache.beam.sdk.state.StateContext;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.DoFn;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Instant;

/**
 * The key a keyed operator is working on, and the state and timers of that key. Beam's runners
 * hold one {@link StateInternals} and one {@link TimerInternals} for their lifetime; these forward
 * to the backend's view of whichever key is current.
 */
final class CurrentKey implements StepContext {
  private final KeyedStateBackend backend;
  private final Coder<Object> keyCoder;
  private final int maxParallelism;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final DoFn.BundleFinalizer bundleFinalizer;
  private @Nullable StateKey current;
  private final StateInternals state = new ForwardingState();
  private final TimerInternals timers = new ForwardingTimers();

  @SuppressWarnings("unchecked")
  CurrentKey(
      KeyedStateBackend backend,
      Coder<?> keyCoder,
      int maxParallelism,
      DoFn.BundleFinalizer bundleFinalizer) {
    this.backend = backend;
    this.bundleFinalizer = bundleFinalizer;
    this.keyCoder = (Coder<Object>) keyCoder;
    this.maxParallelism = maxParallelism;
  }

  /** Makes {@code key} current, encoding it to its canonical bytes (nested context). */
  void set(Object key) {
    current = encode(key);
  }

  /** Makes an already encoded key current. */
  void set(StateKey key) {
    current = key;
  }

  /** The canonical form of {@code key}: its bytes in the nested context, and its key group. */
  StateKey encode(Object key) {
    buffer.reset();
    try {
      keyCoder.encode(key, buffer);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode key " + key + " with " + keyCoder, e);
    }
    byte[] bytes = buffer.toByteArray();
    return new StateKey(bytes, key, KeyGroups.keyGroupFor(bytes, maxParallelism));
  }

  /** Makes the key with canonical {@code bytes} current. */
  void setBytes(byte[] bytes) {
    current = decode(bytes);
  }

  /** The key whose canonical bytes are {@code bytes}. */
  StateKey decode(byte[] bytes) {
    Object key;
    try {
      key = keyCoder.decode(new ByteArrayInputStream(bytes));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot decode key bytes with " + keyCoder, e);
    }
    return new StateKey(bytes, key, KeyGroups.keyGroupFor(bytes, maxParallelism));
  }

  Object key() {
    return currentKey().key();
  }

  private StateKey currentKey() {
    if (current == null) {
      throw new IllegalStateException("No current key: state or timers used outside a key");
    }
    return current;
  }

  @Override
  public StateInternals stateInternals() {
    return state;
  }

  @Override
  public TimerInternals timerInternals() {
    return timers;
  }

  @Override
  public DoFn.BundleFinalizer bundleFinalizer() {
    return bundleFinalizer;
  }

  private final class ForwardingState implements StateInternals {
    @Override
    public Object getKey() {
      return currentKey().key();
    }

    @Override
    public <T extends State> T state(
        StateNamespace namespace, StateTag<T> address, StateContext<?> c) {
      return backend.stateInternals(currentKey()).state(namespace, address, c);
    }
  }

  private final class ForwardingTimers implements TimerInternals {
    private TimerInternals delegate() {
      return backend.timerInternals(currentKey());
    }

    @Override
    public void setTimer(
        StateNamespace namespace,
        String timerId,
        String timerFamilyId,
        Instant target,
        Instant outputTimestamp,
        TimeDomain timeDomain) {
      delegate().setTimer(namespace, timerId, timerFamilyId, target, outputTimestamp, timeDomain);
    }

    @Override
    public void setTimer(TimerData timerData) {
      delegate().setTimer(timerData);
    }

    @Override
    public void deleteTimer(
        StateNamespace namespace, String timerId, String timerFamilyId, TimeDomain timeDomain) {
      delegate().deleteTimer(namespace, timerId, timerFamilyId, timeDomain);
    }

    @Override
    public void deleteTimer(StateNamespace namespace, String timerId, String timerFamilyId) {
      delegate().deleteTimer(namespace, timerId, timerFamilyId);
    }

    @Override
    public void deleteTimer(TimerData timerKey) {
      delegate().deleteTimer(timerKey);
    }

    @Override
    public Instant currentProcessingTime() {
      return delegate().currentProcessingTime();
    }

    @Override
    public @Nullable Instant currentSynchronizedProcessingTime() {
      return delegate().currentSynchronizedProcessingTime();
    }

    @Override
    public Instant currentInputWatermarkTime() {
      return delegate().currentInputWatermarkTime();
    }

    @Override
    public @Nullable Instant currentOutputWatermarkTime() {
      return delegate().currentOutputWatermarkTime();
    }
  }
}
