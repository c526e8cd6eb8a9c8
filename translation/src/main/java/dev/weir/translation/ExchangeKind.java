package dev.weir.translation;

/** How an edge routes the elements of a producer subtask to the consumer subtasks. */
public enum ExchangeKind {
  /** Producer subtask i sends to consumer subtask i; both stages have the same parallelism. */
  FORWARD,
  /** By the key group of the element's canonical key bytes (elements are {@code KV}s). */
  KEYED,
  /** Every element to every consumer subtask: side inputs. */
  BROADCAST,
  /** Round-robin over the consumer subtasks, to spread work that has no key. */
  REBALANCE
}
