package dev.weir.worker.task;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Which fused step of a subtask's stage a failure came out of, for the exception history. An
 * exception passes through the boundary of every operator it unwinds, the innermost first, so the
 * first step to note a throwable is the one that threw it. Only the subtask's thread notes;
 * catching and rethrowing costs nothing while nothing is thrown.
 */
final class FailedStep {
  private @Nullable Throwable thrown;
  private @Nullable String step;

  /** {@code thrown} came out of step {@code name}; kept only if nothing was noted before. */
  void note(@Nullable String name, Throwable thrown) {
    if (this.thrown == null && name != null) {
      this.thrown = thrown;
      this.step = name;
    }
  }

  /**
   * The step {@code failure} came out of: the noted step if the noted throwable is {@code failure}
   * or in its cause chain (an exception handled somewhere does not name the step of a later
   * failure); null if unknown.
   */
  @Nullable String of(@Nullable Throwable failure) {
    if (thrown == null) {
      return null;
    }
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      if (t == thrown) {
        return step;
      }
    }
    return null;
  }
}
