package dev.weir.portability;

import dev.weir.state.KeyGroups;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.StateKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.weir.state.KeyedTimer;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.runners.fnexecution.state.StateRequestHandlers;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.ByteString;

/**
 * The harness's user state (bag state requests, which is how every portable state kind reaches a
 * runner) kept in the subtask's {@link KeyedStateBackend}: RocksDB or memory, snapshotted with the
 * subtask's checkpoints like a classic stateful DoFn's state. Keys are stored under the bytes the
 * harness encoded them to, which are the bytes the keyed exchange routed by, so each lands in a key
 * group this subtask owns.
 *
 * <p>Requests come on the Fn API's gRPC threads while the subtask's thread waits for the bundle;
 * the backend is not thread-safe, so every request holds this object's lock, and so does every
 * use of the backend by the stage's timers ({@link StageTimers}).
 *
 * <p>A window's state is cleared once the input watermark passes the window's end plus the
 * allowed lateness, by a cleanup timer in the backend set when the state is written, as Beam's
 * classic runners do; the global window's state stays until the job ends.
 */
final class UserStateBags
    implements StateRequestHandlers.BagUserStateHandlerFactory<Object, Object, BoundedWindow> {
  /** The timer family of the state cleanup timers; no DoFn's timer family has this name. */
  static final String CLEANUP_FAMILY = "weir:state-cleanup";

  private final KeyedStateBackend backend;
  private final int maxParallelism;
  private final Duration allowedLateness;
  // Every bag the harness has used, with its value coder: what a window's cleanup clears.
  private final Map<String, Coder<Object>> bags = new LinkedHashMap<>();

  /**
   * {@code allowedLateness}: of the stage's input; a window's state is cleared once the input
   * watermark has passed the window's end plus this.
   */
  UserStateBags(KeyedStateBackend backend, int maxParallelism, Duration allowedLateness) {
    this.backend = backend;
    this.maxParallelism = maxParallelism;
    this.allowedLateness = allowedLateness;
  }

  @Override
  public StateRequestHandlers.BagUserStateHandler<Object, Object, BoundedWindow> forUserState(
      String transformId,
      String userStateId,
      Coder<Object> keyCoder,
      Coder<Object> valueCoder,
      Coder<BoundedWindow> windowCoder) {
    // One bag per transform and state id: two DoFns of a fused stage may use the same state id.
    String tag = transformId + "/" + userStateId;
    synchronized (this) {
      bags.put(tag, valueCoder);
    }
    return new StateRequestHandlers.BagUserStateHandler<Object, Object, BoundedWindow>() {
      @Override
      public Iterable<Object> get(Object key, BoundedWindow window) {
        synchronized (UserStateBags.this) {
          // A copy: the harness reads it after the lock is released.
          List<Object> values = new ArrayList<>();
          bag(key, window).read().forEach(values::add);
          return values;
        }
      }

      @Override
      public void append(Object key, BoundedWindow window, Iterator<Object> values) {
        synchronized (UserStateBags.this) {
          BagState<Object> bag = bag(key, window);
          values.forEachRemaining(bag::add);
          scheduleCleanup(stateKey(key, keyCoder), window, windowCoder);
        }
      }

      @Override
      public void clear(Object key, BoundedWindow window) {
        synchronized (UserStateBags.this) {
          bag(key, window).clear();
        }
      }

      private BagState<Object> bag(Object key, BoundedWindow window) {
        return backend
            .stateInternals(stateKey(key, keyCoder))
            .state(StateNamespaces.window(windowCoder, window), StateTags.bag(tag, valueCoder));
      }
    };
  }

  /**
   * Beam's runner side hands the key as the harness sent it: the key's coder bytes in the nested
   * context, the same bytes the keyed exchange routed the element by.
   */
  StateKey stateKey(Object key, Coder<Object> keyCoder) {
    byte[] encoded;
    if (key instanceof ByteString) {
      encoded = ((ByteString) key).toByteArray();
    } else {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try {
        keyCoder.encode(key, bytes);
      } catch (IOException e) {
        throw new IllegalStateException("Cannot encode state key " + key + " with " + keyCoder, e);
      }
      encoded = bytes.toByteArray();
    }
    return new StateKey(encoded, key, KeyGroups.keyGroupFor(encoded, maxParallelism));
  }

  /**
   * Sets the cleanup timer of {@code window}'s state of {@code key} (again: setting it replaces
   * it), as a classic stateful DoFn's runner does: the global window's state lives as long as the
   * job. Its output timestamp, the window's last instant, holds the stage's output watermark
   * until then, as a classic one's does.
   */
  private void scheduleCleanup(StateKey key, BoundedWindow window, Coder<BoundedWindow> windowCoder) {
    if (window instanceof GlobalWindow) {
      return;
    }
    Instant cleanup = window.maxTimestamp().plus(allowedLateness);
    if (cleanup.isAfter(GlobalWindow.INSTANCE.maxTimestamp())) {
      cleanup = GlobalWindow.INSTANCE.maxTimestamp();
    }
    backend
        .timerInternals(key)
        .setTimer(
            TimerInternals.TimerData.of(
                "",
                CLEANUP_FAMILY,
                StateNamespaces.window(windowCoder, window),
                cleanup,
                window.maxTimestamp(),
                TimeDomain.EVENT_TIME));
  }

  static boolean isCleanup(KeyedTimer timer) {
    return timer.timer().getTimerFamilyId().equals(CLEANUP_FAMILY);
  }

  /** Clears every bag of the key and window of cleanup timer {@code timer}. */
  void cleanUp(KeyedTimer timer) {
    synchronized (this) {
      byte[] bytes = timer.keyBytes();
      StateInternals state =
          backend.stateInternals(
              new StateKey(bytes, bytes, KeyGroups.keyGroupFor(bytes, maxParallelism)));
      StateNamespace namespace = timer.timer().getNamespace();
      for (Map.Entry<String, Coder<Object>> bag : bags.entrySet()) {
        state.state(namespace, StateTags.bag(bag.getKey(), bag.getValue())).clear();
      }
    }
  }

  /** Sets the clocks the backend's timer internals report. */
  void setTimes(Instant inputWatermark, Instant processingTime, Instant synchronizedTime) {
    synchronized (this) {
      backend.setTimes(inputWatermark, null, processingTime, synchronizedTime);
    }
  }

  /**
   * Removes and returns the timers of {@code domain} strictly before {@code time} (as a classic
   * ParDo's: Beam fires a timer once time is past it), earliest first: the harness's timers and
   * the cleanup timers.
   */
  List<KeyedTimer> takeDue(TimeDomain domain, Instant time) {
    List<KeyedTimer> due = new ArrayList<>();
    synchronized (this) {
      KeyedTimer next;
      while ((next = backend.pollDueTimer(domain, time.minus(1))) != null) {
        due.add(next);
      }
    }
    return due;
  }

  /** Sets {@code timer}, taken by {@link #takeDue}, again: it was not fired. */
  void setAgain(KeyedTimer timer) {
    synchronized (this) {
      byte[] bytes = timer.keyBytes();
      backend
          .timerInternals(new StateKey(bytes, bytes, KeyGroups.keyGroupFor(bytes, maxParallelism)))
          .setTimer(timer.timer());
    }
  }

  /** The earliest watermark hold of the backend: output timestamps of pending timers. */
  Instant hold() {
    synchronized (this) {
      return backend.minWatermarkHold();
    }
  }

  @Nullable
  Instant next(TimeDomain domain) {
    synchronized (this) {
      return backend.nextTimerTimestamp(domain);
    }
  }

  /** The backend, for the stage's timers; use it holding this object's lock. */
  KeyedStateBackend backend() {
    return backend;
  }

  void close() {
    synchronized (this) {
      backend.close();
    }
  }
}
