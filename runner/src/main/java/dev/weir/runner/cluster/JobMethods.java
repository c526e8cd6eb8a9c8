package dev.weir.runner.cluster;

import dev.weir.worker.control.ControlMethods;
import io.grpc.MethodDescriptor;

/** The calls a client makes on the coordinator's job service: submit, poll status, cancel. */
public final class JobMethods {
  public static final String SERVICE = "weir.control.Jobs";

  public static final MethodDescriptor<JobSubmission, Boolean> SUBMIT =
      ControlMethods.unary(SERVICE, "Submit", JobSubmission.class, Boolean.class);

  /** By job id. */
  public static final MethodDescriptor<String, JobStatus> STATUS =
      ControlMethods.unary(SERVICE, "Status", String.class, JobStatus.class);

  /** By job id; returns at once, poll {@link #STATUS} for the end. */
  public static final MethodDescriptor<String, Boolean> CANCEL =
      ControlMethods.unary(SERVICE, "Cancel", String.class, Boolean.class);

  private JobMethods() {}
}
