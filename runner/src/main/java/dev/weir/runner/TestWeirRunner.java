package dev.weir.runner;

import java.io.IOException;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsValidator;

/**
 * {@link WeirRunner} for {@code TestPipeline}: runs the job to its end before returning, and throws
 * {@link Pipeline.PipelineExecutionException} with the user's exception as the cause if it failed.
 */
public class TestWeirRunner extends PipelineRunner<WeirPipelineResult> {
  private final WeirRunner delegate;

  private TestWeirRunner(WeirPipelineOptions options) {
    this.delegate = new WeirRunner(options);
  }

  /** Called by Beam for {@code --runner=TestWeirRunner}. */
  public static TestWeirRunner fromOptions(PipelineOptions options) {
    return new TestWeirRunner(
        PipelineOptionsValidator.validate(WeirPipelineOptions.class, options));
  }

  /**
   * Runs the pipeline and waits for it. If the wait ends without the job ending (a test harness
   * interrupting a test it gave up on), the job is cancelled, so it does not go on holding its
   * cluster, threads and state directories.
   */
  @Override
  public WeirPipelineResult run(Pipeline pipeline) {
    WeirPipelineResult result = delegate.run(pipeline);
    try {
      result.waitUntilFinish();
    } catch (RuntimeException | Error e) {
      if (!result.getState().isTerminal()) {
        cancel(result, e);
      }
      throw e;
    }
    return result;
  }

  private static void cancel(WeirPipelineResult result, Throwable cause) {
    // Cancelling waits (bounded) for the job to end, which an interrupt flag would cut short.
    boolean interrupted = Thread.interrupted();
    try {
      result.cancel();
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
