package dev.weir.runner;

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

  @Override
  public WeirPipelineResult run(Pipeline pipeline) {
    WeirPipelineResult result = delegate.run(pipeline);
    result.waitUntilFinish();
    return result;
  }
}
