package dev.weir.portability;

import org.apache.beam.runners.fnexecution.control.DefaultExecutableStageContext;
import org.apache.beam.runners.fnexecution.control.ExecutableStageContext;
import org.apache.beam.runners.fnexecution.control.ReferenceCountingExecutableStageContextFactory;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;

/**
 * The SDK harness environments of the jobs running in this JVM: one {@link
 * DefaultExecutableStageContext} per job, shared by all its executable-stage subtasks and released
 * when the last of them closes. Beam's {@link DefaultExecutableStageContext} makes the
 * environments the pipeline asks for (embedded, external/loopback, process, docker).
 */
final class StageContexts {
  private static final ExecutableStageContext.Factory FACTORY =
      ReferenceCountingExecutableStageContextFactory.create(
          DefaultExecutableStageContext::create,
          // Release at once: a finished job's harness must not outlive it.
          caller -> true);

  private StageContexts() {}

  /** The job's context, counted; close it to release it. */
  static ExecutableStageContext get(JobInfo jobInfo) {
    return FACTORY.get(jobInfo);
  }
}
