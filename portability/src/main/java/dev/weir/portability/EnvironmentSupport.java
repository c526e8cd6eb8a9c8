package dev.weir.portability;

import java.io.File;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.sdk.util.construction.BeamUrns;
import org.apache.beam.sdk.util.construction.Environments;

/**
 * Which SDK harness environments this job server can start: EMBEDDED (a Java harness inside the
 * worker's JVM), EXTERNAL (the submitter's worker pool, which LOOPBACK is), PROCESS (a command),
 * and DOCKER only where a {@code docker} binary is on the PATH. A pipeline asking for anything
 * else is refused before it runs, with a message that says what to use instead.
 */
final class EnvironmentSupport {
  static final String DOCKER =
      BeamUrns.getUrn(RunnerApi.StandardEnvironments.Environments.DOCKER);
  static final String PROCESS =
      BeamUrns.getUrn(RunnerApi.StandardEnvironments.Environments.PROCESS);
  static final String EXTERNAL =
      BeamUrns.getUrn(RunnerApi.StandardEnvironments.Environments.EXTERNAL);

  private final boolean dockerPresent;

  EnvironmentSupport(boolean dockerPresent) {
    this.dockerPresent = dockerPresent;
  }

  boolean dockerPresent() {
    return dockerPresent;
  }

  /** Looks for {@code docker} on this process's PATH. */
  static EnvironmentSupport ofThisMachine() {
    String path = System.getenv("PATH");
    boolean docker = false;
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        File candidate = new File(dir, "docker");
        if (candidate.isFile() && candidate.canExecute()) {
          docker = true;
          break;
        }
      }
    }
    return new EnvironmentSupport(docker);
  }

  /**
   * Checks every environment a transform of {@code pipeline} runs in.
   *
   * @throws IllegalArgumentException naming the environment that cannot be started here
   */
  void check(RunnerApi.Pipeline pipeline) {
    Set<String> used = new LinkedHashSet<>();
    for (RunnerApi.PTransform t : pipeline.getComponents().getTransformsMap().values()) {
      if (!t.getEnvironmentId().isEmpty()) {
        used.add(t.getEnvironmentId());
      }
    }
    for (String id : used) {
      RunnerApi.Environment env = pipeline.getComponents().getEnvironmentsOrThrow(id);
      String urn = env.getUrn();
      if (urn.equals(DOCKER)) {
        if (!dockerPresent) {
          throw new IllegalArgumentException(
              "Environment "
                  + id
                  + " is DOCKER, but there is no docker binary on the job server's PATH. Submit"
                  + " with --defaultEnvironmentType=LOOPBACK (or EXTERNAL, PROCESS, or EMBEDDED"
                  + " for Java) instead.");
        }
      } else if (!urn.equals(PROCESS)
          && !urn.equals(EXTERNAL)
          && !urn.equals(Environments.ENVIRONMENT_EMBEDDED)) {
        throw new IllegalArgumentException(
            "Environment " + id + " has type " + urn + ", which Weir's job server cannot start");
      }
    }
  }
}
