package dev.weir.worker.exchange;

import io.grpc.Status;

/**
 * The consumer side of one channel as its {@link GrpcInputGate} sees it: something that takes the
 * gate's initial credit, gets a credit back for each event the gate hands out, and can be ended by
 * the consumer. A gRPC stream ({@link InboundStream}) or, within one endpoint, a {@link
 * LocalChannel}.
 */
interface InboundChannel {

  ChannelId id();

  /**
   * Joins {@code gate} as its channel {@code index} and grants the initial credit; later credit
   * goes back in groups of {@code returnBatch}. Called with the exchange's registry held.
   */
  void attach(GrpcInputGate gate, int index, int initialCredits, int returnBatch);

  /** The gate handed out one of this channel's events. Never called with the gate's lock held. */
  void returnCredit();

  /** Ends the channel from the consumer side (abort, gate closed, exchange closed). */
  void shutdown(Status status);
}
