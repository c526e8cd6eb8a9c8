package dev.weir.worker.task;

/**
 * The bundle a subtask is in: ending it finishes the operators' bundles, publishes the element
 * counts and sends what the bundle produced. A bundle also ends once it is large.
 */
final class CurrentBundle {
  private static final int MAX_BUNDLE_ELEMENTS = 100_000;

  private final OperatorChain chain;
  private final SubtaskOutputs outputs;
  private int elements;

  CurrentBundle(OperatorChain chain, SubtaskOutputs outputs) {
    this.chain = chain;
    this.outputs = outputs;
  }

  /** {@code count} input elements went into the bundle; ends it if it is now large. */
  void added(int count) {
    elements += count;
    if (elements >= MAX_BUNDLE_ELEMENTS) {
      end();
    }
  }

  void end() {
    chain.finishBundle();
    outputs.publishElementCounts();
    elements = 0;
    try {
      outputs.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SubtaskInterruptedException();
    }
  }
}
