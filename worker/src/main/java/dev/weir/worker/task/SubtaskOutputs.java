package dev.weir.worker.task;

import dev.weir.worker.exchange.ChannelEvent;
import dev.weir.worker.exchange.ChannelId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;

/**
 * Where a subtask's results leave it: its output edges, and the element counts of the pipeline's
 * PCollections it produces, published at bundle end.
 */
final class SubtaskOutputs implements ControlEventOutput {
  private final List<EdgeOutput> edges = new ArrayList<>();
  private final List<CountingFanOut> elementCounts = new ArrayList<>();

  void addEdge(EdgeOutput edge) {
    edges.add(edge);
  }

  void addElementCount(CountingFanOut counted) {
    elementCounts.add(counted);
  }

  void publishElementCounts() {
    for (CountingFanOut counted : elementCounts) {
      counted.publishCount();
    }
  }

  /** Sends every partly filled batch. */
  void flush() throws InterruptedException {
    for (EdgeOutput edge : edges) {
      edge.flush();
    }
  }

  /** Sends {@code event} on every output channel, after the data before it. */
  @Override
  public void send(ChannelEvent event) throws InterruptedException {
    for (EdgeOutput edge : edges) {
      edge.sendControl(event);
    }
  }

  /**
   * Ends every output channel: the watermark at the end of time unless {@code watermarkAtEnd}
   * says it was sent already, then the end of input.
   */
  void end(boolean watermarkAtEnd) throws InterruptedException {
    for (EdgeOutput edge : edges) {
      if (!watermarkAtEnd) {
        edge.sendControl(new ChannelEvent.Watermark(BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis()));
      }
      edge.sendControl(ChannelEvent.EndOfInput.INSTANCE);
    }
  }

  /** Elements and control events sent so far; read by other threads for progress reports. */
  long eventsSent() {
    long sent = 0;
    for (EdgeOutput edge : edges) {
      sent += edge.eventsSent();
    }
    return sent;
  }

  /** Elements sent so far on every edge, and their bytes. Any thread. */
  long[] recordsAndBytesSent() {
    long records = 0;
    long bytes = 0;
    for (EdgeOutput edge : edges) {
      records += edge.recordsSent();
      bytes += edge.bytesSent();
    }
    return new long[] {records, bytes};
  }

  /** The elements sent so far, by output channel. */
  Map<ChannelId, Long> elementsSent() {
    Map<ChannelId, Long> sent = new HashMap<>();
    for (EdgeOutput edge : edges) {
      edge.addElementsSent(sent);
    }
    return sent;
  }

  void close() {
    for (EdgeOutput edge : edges) {
      edge.close();
    }
  }
}
