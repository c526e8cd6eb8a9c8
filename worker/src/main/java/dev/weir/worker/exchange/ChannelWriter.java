package dev.weir.worker.exchange;

/**
 * The sending end of one channel. Events arrive at the consumer in the order sent. {@link #send}
 * blocks while the consumer has granted no credit, so a slow consumer slows its producer and
 * nothing queues without bound.
 */
public interface ChannelWriter extends AutoCloseable {

  ChannelId id();

  /**
   * Sends one event, blocking until the consumer has credit for it. Every kind of event, control
   * events such as {@link ChannelEvent.CheckpointBarrier} included, takes one credit and goes out
   * at once, after everything sent before it: the writer holds nothing back, so a barrier needs no
   * flush of its own.
   *
   * @throws ExchangeException if the channel broke (consumer gone, job cancelled)
   */
  void send(ChannelEvent event) throws InterruptedException;

  /** Releases the channel; call after sending {@link ChannelEvent.EndOfInput}, or to abort. */
  @Override
  void close();
}
