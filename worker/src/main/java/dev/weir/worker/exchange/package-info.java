/**
 * Data exchange between subtasks over gRPC streams: ordered channels that carry batches of encoded
 * elements with in-band control events, and credit-based flow control so that no queue is
 * unbounded.
 */
package dev.weir.worker.exchange;
