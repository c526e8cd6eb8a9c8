package dev.weir.runner;

import com.google.protobuf.ByteString;
import dev.weir.translation.ExecutionPlan;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A stable hash of an execution plan's shape, stored in every checkpoint's metadata so a restore
 * can tell whether the checkpoint was taken by the same pipeline.
 *
 * <p>SHA-256 over, in stage order: each stage's id and name, each of its operators' full transform
 * name and URN, then each edge's producing and consuming stage and its exchange kind. Each string
 * is length-prefixed so no two plans run together into the same bytes. Left out on purpose: the
 * parallelism (a job may be restored at another one; key groups move), the max parallelism (the
 * key-group ranges in the metadata carry it), the job name and id (a {@code --restoreFrom} job has
 * a new id), and user code (a fixed DoFn must still restore its predecessor's state).
 */
final class PlanFingerprint {
  private PlanFingerprint() {}

  static ByteString of(ExecutionPlan plan) {
    return of(JobTopology.of(plan));
  }

  /** The same hash from a job's topology (what a coordinator without the job's classes has). */
  static ByteString of(JobTopology plan) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java platform has SHA-256", e);
    }
    for (JobTopology.Stage stage : plan.stages()) {
      add(digest, "stage");
      add(digest, Integer.toString(stage.id()));
      add(digest, stage.name());
      for (JobTopology.Operator operator : stage.operators()) {
        add(digest, operator.name());
        add(digest, operator.urn());
      }
    }
    for (JobTopology.Edge edge : plan.edges()) {
      add(digest, "edge");
      add(digest, edge.fromStage() + ">" + edge.toStage());
      add(digest, edge.kind());
    }
    return ByteString.copyFrom(digest.digest());
  }

  private static void add(MessageDigest digest, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    digest.update(
        new byte[] {
          (byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16),
          (byte) (bytes.length >>> 8), (byte) bytes.length
        });
    digest.update(bytes);
  }
}
