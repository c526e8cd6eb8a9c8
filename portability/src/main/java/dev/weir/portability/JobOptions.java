package dev.weir.portability;

import dev.weir.runner.WeirPipelineOptions;
import dev.weir.runner.WeirRunner;
import org.apache.beam.sdk.util.construction.PipelineOptionsTranslation;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.Struct;

/**
 * A submitted job's pipeline options as Weir runs them. The submitter's {@code --runner} names the
 * runner of the submitting side (Java's {@code PortableRunner} or {@code TestUniversalRunner}),
 * a class this JVM need not have: Beam parses a Class-valued option lazily, so it would fail
 * later, where the engine serializes the options for its workers. The job runs on Weir, so the
 * option says so.
 */
final class JobOptions {

  /** The key of {@code --runner} in the Job API's options struct. */
  static final String RUNNER_KEY = "beam:option:runner:v1";

  private JobOptions() {}

  static WeirPipelineOptions of(Struct submitted) {
    Struct withoutRunner = submitted.toBuilder().removeFields(RUNNER_KEY).build();
    WeirPipelineOptions options =
        PipelineOptionsTranslation.fromProto(withoutRunner).as(WeirPipelineOptions.class);
    options.setRunner(WeirRunner.class);
    return options;
  }
}
