package dev.weir.worker.exchange;

/** A {@link ChannelWriter} the exchange can break when the job or attempt is aborted. */
interface OutboundChannel extends ChannelWriter {

  /** Fails a blocked and every later {@code send}; the consumer sees the channel break. */
  void abort(String reason);
}
