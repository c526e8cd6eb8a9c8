package dev.weir.worker.operators;

import java.io.Serializable;
import java.util.OptionalDouble;

/**
 * How much of a bounded splittable DoFn's work is done: {@code done} of {@code total}, both in the
 * DoFn's own size units, those of its {@code @GetSize} (for {@code Read.from(boundedSource)} the
 * source's estimated bytes). Work of several restrictions, subtasks or workers adds up: {@link
 * #plus} sums both parts, so each restriction weighs as much as its size and the fraction of the
 * sum is work completed / (completed + remaining), not an average of fractions.
 */
public record SourceWork(double done, double total) implements Serializable {
  private static final long serialVersionUID = 1L;

  public SourceWork {
    if (!(done >= 0) || !(total >= done)) {
      throw new IllegalArgumentException("done " + done + " of total " + total);
    }
  }

  public SourceWork plus(SourceWork other) {
    return new SourceWork(done + other.done, total + other.total);
  }

  /** All of it done: what a subtask that finished had, whatever its last report said. */
  public SourceWork finished() {
    return new SourceWork(total, total);
  }

  /** done / total, empty while nothing of known size has started. */
  public OptionalDouble fraction() {
    return total > 0 ? OptionalDouble.of(Math.min(1.0, done / total)) : OptionalDouble.empty();
  }
}
