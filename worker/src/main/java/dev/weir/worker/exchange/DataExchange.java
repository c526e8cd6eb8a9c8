package dev.weir.worker.exchange;

import java.util.List;

/**
 * A worker's endpoint for data exchange over gRPC: it serves the channels whose consumer runs on
 * this worker and opens channels to other workers' endpoints. A channel between two subtasks of
 * the same worker may be handed over in memory instead, with the same contract (order, in-band
 * control events, credit); the embedded cluster's workers each have their own endpoint, so
 * channels between them still go over gRPC as between real workers.
 */
public interface DataExchange extends AutoCloseable {

  /** host:port this endpoint listens on (loopback by default). */
  String address();

  /**
   * Registers the consumer side of {@code channels} (all with the same job and consumer subtask)
   * and returns the gate that yields their events. Producers may connect before or after.
   */
  InputGate openGate(List<ChannelId> channels);

  /** Opens the producer side of {@code channel} to the endpoint at {@code consumerAddress}. */
  ChannelWriter openWriter(ChannelId channel, String consumerAddress);

  /** Breaks every gate and writer of {@code jobId} (cancellation, failure). */
  void abortJob(String jobId);

  /**
   * Breaks every gate and writer of attempt {@code attempt} of {@code jobId} (a restart); channels
   * of other attempts of the job are not affected.
   */
  default void abortAttempt(String jobId, int attempt) {
    abortJob(jobId);
  }

  /** Stops the server and breaks all channels. */
  @Override
  void close();
}
