package dev.weir.portability;

import dev.weir.translation.OperatorPlan;
import dev.weir.worker.operators.OperatorProvider;
import dev.weir.worker.operators.StageOperator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.InvalidProtocolBufferException;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.Struct;

/**
 * A fused executable stage of a portable pipeline: user code that runs in an SDK harness. It keeps
 * the stage and the job's identity as proto bytes, so the plan stays a plain value; its outputs
 * are keyed by PCollection id.
 */
final class ExecutableStagePlan extends OperatorPlan implements OperatorProvider {
  private static final long serialVersionUID = 1L;

  private final List<SideInputView> sideInputs;
  private final byte[] payload;
  private final boolean stateful;
  private final boolean splittable;
  private final String jobId;
  private final String jobName;
  private final String retrievalToken;
  private final byte[] pipelineOptions;

  ExecutableStagePlan(
      String name,
      String input,
      List<String> outputs,
      List<SideInputView> sideInputs,
      RunnerApi.ExecutableStagePayload payload,
      JobInfo jobInfo) {
    super(name, ExecutableStage.URN, List.of(input), byId(outputs));
    this.sideInputs = List.copyOf(sideInputs);
    this.payload = payload.toByteArray();
    this.stateful = isStateful(payload);
    this.splittable = isSplittable(payload);
    this.jobId = jobInfo.jobId();
    this.jobName = jobInfo.jobName();
    this.retrievalToken = jobInfo.retrievalToken();
    this.pipelineOptions = jobInfo.pipelineOptions().toByteArray();
  }

  private static Map<String, String> byId(List<String> outputs) {
    Map<String, String> byId = new LinkedHashMap<>();
    for (String output : outputs) {
      byId.put(output, output);
    }
    return byId;
  }

  ExecutableStage stage() {
    try {
      return ExecutableStage.fromPayload(RunnerApi.ExecutableStagePayload.parseFrom(payload));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("Bad executable stage payload of " + name(), e);
    }
  }

  JobInfo jobInfo() {
    try {
      return JobInfo.create(jobId, jobName, retrievalToken, Struct.parseFrom(pipelineOptions));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("Bad pipeline options of job " + jobId, e);
    }
  }

  /** The PCollections the stage reads as side inputs, arriving on broadcast edges. */
  @Override
  public List<PCollectionView<?>> sideInputs() {
    return List.copyOf(sideInputs);
  }

  /** True if the stage keeps user state or sets timers. */
  static boolean isStateful(RunnerApi.ExecutableStagePayload payload) {
    return payload.getUserStatesCount() > 0 || payload.getTimersCount() > 0;
  }

  /**
   * True if the stage starts with a splittable DoFn's processing (Beam's fuser starts a stage
   * there): its harness may hand back residuals.
   */
  static boolean isSplittable(RunnerApi.ExecutableStagePayload payload) {
    for (String id : payload.getTransformsList()) {
      RunnerApi.PTransform transform = payload.getComponents().getTransformsOrThrow(id);
      if (PTransformTranslation.SPLITTABLE_PROCESS_SIZED_ELEMENTS_AND_RESTRICTIONS_URN.equals(
              transform.getSpec().getUrn())
          && transform.getInputsMap().containsValue(payload.getInput())) {
        return true;
      }
    }
    return false;
  }

  /** True if the stage keeps user state or sets timers. */
  boolean isStateful() {
    return stateful;
  }

  /** True if the stage's harness may hand back a splittable DoFn's residuals. */
  boolean isSplittable() {
    return splittable;
  }

  /**
   * True if the stage keeps user state or sets timers, or keeps a splittable DoFn's residuals: its
   * input then comes over a keyed exchange.
   */
  @Override
  public boolean isKeyed() {
    return stateful || splittable;
  }

  @Override
  public StageOperator createOperator() {
    return new ExecutableStageOperator(this);
  }
}
