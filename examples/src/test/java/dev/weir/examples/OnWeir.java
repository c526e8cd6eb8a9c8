package dev.weir.examples;

import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestPipeline;

/** Test pipelines of this module: on {@code TestWeirRunner}, Weir's runner for tests. */
final class OnWeir {
  private OnWeir() {}

  static TestPipeline testPipeline() {
    return TestPipeline.fromOptions(
        PipelineOptionsFactory.fromArgs("--runner=TestWeirRunner").create());
  }
}
