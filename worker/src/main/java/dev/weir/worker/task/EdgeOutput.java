package dev.weir.worker.task;

import dev.weir.state.KeyGroups;
import dev.weir.translation.EdgePlan;
import dev.weir.worker.exchange.ChannelEvent;
import dev.weir.worker.exchange.ChannelWriter;
import dev.weir.worker.operators.ElementReceiver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The producer side of one edge in one subtask: encodes each element once with the edge's coder,
 * routes it by the edge's kind and sends it in batches. Control events flush the batches first, so
 * they stay in order with the data.
 */
final class EdgeOutput implements ElementReceiver {
  static final int BATCH_BYTES = 32 * 1024;

  private final EdgePlan edge;
  private final ChannelWriter[] writers;
  private final int ownSubtask;
  private final int maxParallelism;
  private final Coder<WindowedValue<?>> coder;
  private final Coder<Object> keyCoder;
  private final Batch[] batches;
  private final Batch scratch = new Batch();
  private final ByteArrayOutputStream keyBuffer = new ByteArrayOutputStream();
  private int nextRebalance;
  private volatile long eventsSent;
  // Elements and their encoded bytes sent, counted per batch; read by progress reports.
  private volatile long recordsSent;
  private volatile long bytesSent;
  private final @Nullable JobActivity activity;

  /** {@code writers[i]} is the channel to consumer subtask i, null where this edge sends none. */
  @SuppressWarnings("unchecked")
  EdgeOutput(
      EdgePlan edge,
      ChannelWriter[] writers,
      int ownSubtask,
      int maxParallelism,
      @Nullable JobActivity activity) {
    this.edge = edge;
    this.activity = activity;
    this.writers = writers;
    this.ownSubtask = ownSubtask;
    this.maxParallelism = maxParallelism;
    this.coder = edge.elementCoder();
    this.keyCoder = (Coder<Object>) edge.keyCoder();
    this.batches = new Batch[writers.length];
    for (int i = 0; i < writers.length; i++) {
      batches[i] = new Batch();
    }
    this.nextRebalance = ownSubtask;
  }

  @Override
  public void accept(WindowedValue<?> element) {
    try {
      switch (edge.kind()) {
        case FORWARD:
          append(ownSubtask, element);
          break;
        case KEYED:
          append(targetOf(((KV<?, ?>) element.getValue()).getKey()), element);
          break;
        case REBALANCE:
          nextRebalance = (nextRebalance + 1) % writers.length;
          append(nextRebalance, element);
          break;
        case BROADCAST:
          scratch.reset();
          coder.encode(element, scratch);
          for (int i = 0; i < writers.length; i++) {
            batches[i].write(scratch.buffer(), 0, scratch.size());
            batches[i].count++;
            if (batches[i].size() >= BATCH_BYTES) {
              flush(i);
            }
          }
          break;
        default:
          throw new IllegalStateException("Unknown exchange " + edge.kind());
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode an element for " + edge, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SubtaskInterruptedException();
    }
  }

  private int targetOf(Object key) throws IOException {
    keyBuffer.reset();
    keyCoder.encode(key, keyBuffer);
    int keyGroup = KeyGroups.keyGroupFor(keyBuffer.toByteArray(), maxParallelism);
    return KeyGroups.subtaskFor(keyGroup, writers.length, maxParallelism);
  }

  private void append(int target, WindowedValue<?> element)
      throws IOException, InterruptedException {
    Batch batch = batches[target];
    coder.encode(element, batch);
    batch.count++;
    if (batch.size() >= BATCH_BYTES) {
      flush(target);
    }
  }

  private void flush(int target) throws InterruptedException {
    Batch batch = batches[target];
    if (batch.count > 0) {
      batch.sent += batch.count;
      eventsSent += batch.count;
      recordsSent += batch.count;
      bytesSent += batch.size();
      if (activity != null) {
        activity.sent(batch.count);
      }
      writers[target].send(
          new ChannelEvent.DataBatch(Arrays.copyOf(batch.buffer(), batch.size()), batch.count));
      batch.reset();
    }
  }

  /** Sends every partly filled batch. */
  void flush() throws InterruptedException {
    for (int i = 0; i < writers.length; i++) {
      if (writers[i] != null) {
        flush(i);
      }
    }
  }

  /** Sends {@code event} on every channel of this edge, after the data before it. */
  void sendControl(ChannelEvent event) throws InterruptedException {
    flush();
    for (ChannelWriter writer : writers) {
      if (writer != null) {
        if (activity != null) {
          activity.sent(1);
        }
        eventsSent++;
        writer.send(event);
      }
    }
  }

  /** Elements and control events sent so far; read by other threads for progress reports. */
  long eventsSent() {
    return eventsSent;
  }

  /** Elements sent so far, on all channels of this edge. Any thread. */
  long recordsSent() {
    return recordsSent;
  }

  /** Their encoded bytes. Any thread. */
  long bytesSent() {
    return bytesSent;
  }

  /** Adds the number of elements sent so far on each channel of this edge to {@code into}. */
  void addElementsSent(java.util.Map<dev.weir.worker.exchange.ChannelId, Long> into) {
    for (int i = 0; i < writers.length; i++) {
      if (writers[i] != null) {
        into.merge(writers[i].id(), batches[i].sent, Long::sum);
      }
    }
  }

  void close() {
    for (ChannelWriter writer : writers) {
      if (writer != null) {
        writer.close();
      }
    }
  }

  /** A growable, unsynchronized byte buffer that exposes its array. */
  private static final class Batch extends java.io.OutputStream {
    private byte[] buf = new byte[BATCH_BYTES + 1024];
    private int size;
    int count;
    long sent;

    @Override
    public void write(int b) {
      ensure(1);
      buf[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, size, len);
      size += len;
    }

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }

    byte[] buffer() {
      return buf;
    }

    int size() {
      return size;
    }

    void reset() {
      size = 0;
      count = 0;
    }
  }
}
