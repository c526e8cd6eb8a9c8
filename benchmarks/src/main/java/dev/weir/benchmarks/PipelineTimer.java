package dev.weir.benchmarks;

import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;

/** Times one pipeline from {@code run()} to the return of {@code waitUntilFinish()}. */
final class PipelineTimer {
  private PipelineTimer() {}

  /**
   * Runs the pipeline, fails unless it ends {@code DONE}, then hands the result to {@code verify}
   * (outside the timed span) and returns the elapsed nanoseconds.
   */
  static long time(Supplier<Pipeline> pipeline, Consumer<PipelineResult> verify) {
    Pipeline p = pipeline.get();
    System.gc();
    long start = System.nanoTime();
    PipelineResult result = p.run();
    PipelineResult.State state = result.waitUntilFinish();
    long elapsed = System.nanoTime() - start;
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("Pipeline ended " + state + ", not DONE");
    }
    verify.accept(result);
    return elapsed;
  }
}
