package dev.weir.portability;

import dev.weir.state.KeyedTimer;
import dev.weir.state.StateKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.runners.fnexecution.control.ProcessBundleDescriptors;
import org.apache.beam.runners.fnexecution.control.RemoteBundle;
import org.apache.beam.runners.fnexecution.control.StageBundleFactory;
import org.apache.beam.runners.fnexecution.control.TimerReceiverFactory;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.fn.data.FnDataReceiver;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.util.construction.Timer;
import org.apache.beam.sdk.values.KV;

/**
 * The timers of a portable stage's DoFns, kept in the subtask's keyed state backend (RocksDB or
 * memory) like a classic stateful ParDo's, so they are snapshotted with its checkpoints. The
 * harness sets and clears them on the timer data streams of a bundle; Beam's {@link
 * TimerReceiverFactory} turns each into a {@link TimerData} whose family id names the transform
 * and the timer. Weir fires them when time passes them (event time: the input watermark;
 * processing time: the subtask's clock) by sending them back to the harness in a bundle.
 *
 * <p>A timer's key is stored under the key's bytes in the nested context, as the harness encodes
 * keys for its state requests, so a timer and the state it reads share a key group. The backend
 * is shared with {@link UserStateBags}, whose lock every use here holds.
 */
final class StageTimers {
  private final UserStateBags state;
  private final Coder<Object> keyCoder;
  private final TimerReceiverFactory receivers;

  @SuppressWarnings("unchecked")
  StageTimers(UserStateBags state, StageBundleFactory bundles, Coder<? extends BoundedWindow> windowCoder) {
    this.state = state;
    Coder<Object> key = null;
    for (Map<String, ProcessBundleDescriptors.TimerSpec> byTimer :
        bundles.getProcessBundleDescriptor().getTimerSpecs().values()) {
      for (ProcessBundleDescriptors.TimerSpec<?, ?, ?> spec : byTimer.values()) {
        // Every timer of the stage is keyed by the stage's input key.
        key = ((Timer.Coder<Object>) (Coder<?>) spec.coder()).getValueCoder();
      }
    }
    if (key == null) {
      throw new IllegalArgumentException("The stage has no timers");
    }
    this.keyCoder = key;
    this.receivers = new TimerReceiverFactory(bundles, this::set, windowCoder);
  }

  /** Where the harness's timer streams go: into the backend. */
  TimerReceiverFactory receivers() {
    return receivers;
  }

  private void set(Timer<?> timer, TimerData data) {
    synchronized (state) {
      TimerInternals timers = state.backend().timerInternals(state.stateKey(timer.getUserKey(), keyCoder));
      if (timer.getClearBit()) {
        timers.deleteTimer(
            data.getNamespace(), data.getTimerId(), data.getTimerFamilyId(), data.getDomain());
      } else {
        timers.setTimer(data);
      }
    }
  }

  /** Sends {@code due} to the harness in {@code bundle}, to the timer stream of its DoFn's timer. */
  void fire(KeyedTimer due, RemoteBundle bundle) {
    TimerData data = due.timer();
    KV<String, String> transformAndTimer =
        TimerReceiverFactory.decodeTimerDataTimerId(data.getTimerFamilyId());
    @SuppressWarnings("unchecked")
    FnDataReceiver<Timer<?>> stream =
        (FnDataReceiver<Timer<?>>) (FnDataReceiver<?>) bundle.getTimerReceivers().get(transformAndTimer);
    if (stream == null) {
      throw new IllegalStateException(
          "No timer stream for " + transformAndTimer + "; the bundle has " + bundle.getTimerReceivers().keySet());
    }
    Object key;
    try {
      key = keyCoder.decode(new ByteArrayInputStream(due.keyBytes()));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot decode the key of timer " + data, e);
    }
    try {
      stream.accept(
          Timer.of(
              key,
              data.getTimerId(),
              List.of(windowOf(data.getNamespace())),
              data.getTimestamp(),
              data.getOutputTimestamp(),
              PaneInfo.NO_FIRING));
    } catch (Exception e) {
      throw new IllegalStateException("Cannot send timer " + data + " to the SDK harness", e);
    }
  }

  private static BoundedWindow windowOf(StateNamespace namespace) {
    if (namespace instanceof StateNamespaces.WindowNamespace) {
      return ((StateNamespaces.WindowNamespace<?>) namespace).getWindow();
    }
    return GlobalWindow.INSTANCE;
  }
}
