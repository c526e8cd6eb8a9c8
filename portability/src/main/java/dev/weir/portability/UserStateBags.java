package dev.weir.portability;

import dev.weir.state.KeyGroups;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.StateKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
 */
final class UserStateBags
    implements StateRequestHandlers.BagUserStateHandlerFactory<Object, Object, BoundedWindow> {
  private final KeyedStateBackend backend;
  private final int maxParallelism;

  UserStateBags(KeyedStateBackend backend, int maxParallelism) {
    this.backend = backend;
    this.maxParallelism = maxParallelism;
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
