/**
 * Data exchange between subtasks over gRPC streams: ordered channels that carry batches of encoded
 * elements with in-band control events, and credit-based flow control so that no queue is
 * unbounded.
 *
 * <p>{@link dev.weir.worker.exchange.GrpcDataExchange} is the implementation: each channel is one
 * bidirectional gRPC stream from the producer's {@link dev.weir.worker.exchange.ChannelWriter} to
 * the consumer's endpoint, described by a hand-written method descriptor with a byte-array
 * marshaller (no protobuf). {@code ExchangeProtocol} defines the frames. A channel whose consumer
 * is on the producer's own endpoint is a {@code LocalChannel}: the events go to the gate in memory,
 * under the same credit. The consumer grants
 * {@link dev.weir.worker.exchange.ExchangeConfig#creditsPerChannel()} events per channel once the
 * channel's {@link dev.weir.worker.exchange.InputGate} exists and returns credit as the gate hands
 * events out; a producer with no credit blocks in {@code send}. A producer may connect before the
 * gate opens: its stream is held without credit.
 *
 * <p>Checkpoint barriers are ordinary in-band events for the wire and for credit. Barrier alignment
 * uses {@link dev.weir.worker.exchange.InputGate#block}: a blocked channel gets no credit back
 * until {@link dev.weir.worker.exchange.InputGate#resumeAll}, so its producer stalls rather than
 * the gate buffering without bound. A channel's name includes the job's attempt, and {@link
 * dev.weir.worker.exchange.DataExchange#abortAttempt} ends one attempt's channels without touching
 * the next attempt's.
 */
package dev.weir.worker.exchange;
