package dev.weir.checkpoint.restore;

import dev.weir.checkpoint.proto.CheckpointMetadata;
import dev.weir.checkpoint.proto.NamedBytes;
import dev.weir.checkpoint.proto.OperatorRestore;
import dev.weir.checkpoint.proto.SubtaskRestore;
import dev.weir.checkpoint.proto.SubtaskState;
import dev.weir.checkpoint.storage.CompletedCheckpoint;
import dev.weir.state.KeyGroupRange;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which parts of a completed checkpoint each subtask of a (re)started job restores, for the same
 * or another parallelism: a new subtask gets the keyed state of every old subtask of its operator
 * whose key groups overlap its own (its backend keeps only its own key groups) and all the
 * operator's named entries (the operator picks its share, e.g. source splits by index).
 *
 * <p>Everything that could make a restore wrong is refused when this is built, before any subtask
 * is deployed: another {@code --maxParallelism} (key groups cannot be remapped: a key's group is
 * its hash modulo that number), state of operators the plan no longer has (it would be lost
 * silently unless allowed), two old subtasks claiming one key group, one entry name with two
 * different values.
 *
 * <p>Immutable and thread-safe.
 */
public final class RestoreAssignment {
  private final long checkpointId;
  private final String jobDirectory;
  private final Map<String, OperatorState> operators;

  /** An operator's part of the checkpoint: its keyed subtasks by range, its entries by name. */
  private record OperatorState(List<SubtaskState> keyed, List<NamedBytes> entries) {}

  private RestoreAssignment(
      long checkpointId, String jobDirectory, Map<String, OperatorState> operators) {
    this.checkpointId = checkpointId;
    this.jobDirectory = jobDirectory;
    this.operators = operators;
  }

  /**
   * Checks {@code checkpoint} against the plan and prepares the subtasks' restores.
   *
   * @param jobDirectory the URI of the directory the checkpoint's file paths are relative to
   *     ({@code CheckpointStorage.jobDirectory()} of the storage it was read from)
   * @param planOperators the ids (full transform names) of every operator of the new plan
   * @param maxParallelism the new job's key groups (resolved {@code --maxParallelism})
   * @param allowNonRestoredState whether state of operators not in the plan may be dropped
   * @throws IncompatibleCheckpointException saying what differs and which option to change
   */
  public static RestoreAssignment of(
      CompletedCheckpoint checkpoint,
      String jobDirectory,
      Collection<String> planOperators,
      int maxParallelism,
      boolean allowNonRestoredState) {
    return of(
        checkpoint.metadata(), jobDirectory, planOperators, maxParallelism, allowNonRestoredState);
  }

  /** As {@link #of(CompletedCheckpoint, String, Collection, int, boolean)}, from the metadata. */
  public static RestoreAssignment of(
      CheckpointMetadata metadata,
      String jobDirectory,
      Collection<String> planOperators,
      int maxParallelism,
      boolean allowNonRestoredState) {
    if (maxParallelism <= 0) {
      throw new IllegalArgumentException("maxParallelism " + maxParallelism + " <= 0");
    }
    String checkpoint = describe(metadata);
    checkMaxParallelism(metadata, maxParallelism, checkpoint);
    Map<String, List<SubtaskState>> byOperator = new LinkedHashMap<>();
    for (SubtaskState subtask : metadata.getSubtasksList()) {
      byOperator.computeIfAbsent(subtask.getOperatorId(), id -> new ArrayList<>()).add(subtask);
    }
    Set<String> plan = new LinkedHashSet<>(planOperators);
    Set<String> dropped = new TreeSet<>();
    for (Map.Entry<String, List<SubtaskState>> operator : byOperator.entrySet()) {
      if (!plan.contains(operator.getKey()) && hasState(operator.getValue())) {
        dropped.add(operator.getKey());
      }
    }
    if (!dropped.isEmpty() && !allowNonRestoredState) {
      throw new IncompatibleCheckpointException(
          checkpoint + " has state of operators this job does not have, which would be lost: "
              + String.join(", ", dropped)
              + ". Restore with the pipeline that wrote it, or allow dropping that state.");
    }
    Map<String, OperatorState> operators = new LinkedHashMap<>();
    for (Map.Entry<String, List<SubtaskState>> operator : byOperator.entrySet()) {
      if (plan.contains(operator.getKey())) {
        operators.put(
            operator.getKey(),
            new OperatorState(
                keyedSubtasks(operator.getKey(), operator.getValue(), maxParallelism, checkpoint),
                unionOfEntries(operator.getKey(), operator.getValue(), checkpoint)));
      }
    }
    return new RestoreAssignment(metadata.getCheckpointId(), jobDirectory, Map.copyOf(operators));
  }

  private static String describe(CheckpointMetadata metadata) {
    return metadata.getKind().name().toLowerCase(java.util.Locale.ROOT)
        + " " + metadata.getCheckpointId()
        + (metadata.getJobId().isEmpty() ? "" : " of job " + metadata.getJobId());
  }

  private static void checkMaxParallelism(
      CheckpointMetadata metadata, int maxParallelism, String checkpoint) {
    if (metadata.getMaxParallelism() != 0 && metadata.getMaxParallelism() != maxParallelism) {
      throw new IncompatibleCheckpointException(
          checkpoint + " was taken with --maxParallelism=" + metadata.getMaxParallelism()
              + " but this job has " + maxParallelism + ". Key groups cannot be remapped: run"
              + " with --maxParallelism=" + metadata.getMaxParallelism()
              + " (the parallelism may change, up to that number).");
    }
    for (SubtaskState subtask : metadata.getSubtasksList()) {
      if (subtask.hasKeyGroups() && subtask.getKeyGroups().getEnd() > maxParallelism) {
        throw new IncompatibleCheckpointException(
            checkpoint + " holds key group " + (subtask.getKeyGroups().getEnd() - 1)
                + " (operator " + subtask.getOperatorId() + ", subtask "
                + subtask.getSubtaskIndex() + ") but this job has --maxParallelism="
                + maxParallelism + ". Key groups cannot be remapped: run with the"
                + " --maxParallelism the checkpoint was taken with.");
      }
    }
  }

  private static boolean hasState(List<SubtaskState> subtasks) {
    for (SubtaskState subtask : subtasks) {
      if (subtask.hasKeyedState() || subtask.getEntriesCount() > 0) {
        return true;
      }
    }
    return false;
  }

  /** The subtasks with keyed state, by range; their ranges must not overlap. */
  private static List<SubtaskState> keyedSubtasks(
      String operatorId, List<SubtaskState> subtasks, int maxParallelism, String checkpoint) {
    List<SubtaskState> keyed = new ArrayList<>();
    for (SubtaskState subtask : subtasks) {
      if (!subtask.hasKeyedState()) {
        continue;
      }
      if (!subtask.hasKeyGroups()
          || subtask.getKeyGroups().getStart() < 0
          || subtask.getKeyGroups().getEnd() < subtask.getKeyGroups().getStart()) {
        throw new IncompatibleCheckpointException(
            checkpoint + ": keyed state of operator " + operatorId + ", subtask "
                + subtask.getSubtaskIndex() + " has no valid key-group range ("
                + subtask.getKeyGroups().getStart() + ", " + subtask.getKeyGroups().getEnd()
                + ")");
      }
      keyed.add(subtask);
    }
    keyed.sort(Comparator.comparingInt(s -> s.getKeyGroups().getStart()));
    for (int i = 1; i < keyed.size(); i++) {
      SubtaskState before = keyed.get(i - 1);
      SubtaskState after = keyed.get(i);
      if (after.getKeyGroups().getStart() < before.getKeyGroups().getEnd()) {
        throw new IncompatibleCheckpointException(
            checkpoint + ": subtasks " + before.getSubtaskIndex() + " and "
                + after.getSubtaskIndex() + " of operator " + operatorId
                + " both hold key groups from " + after.getKeyGroups().getStart() + " to "
                + Math.min(before.getKeyGroups().getEnd(), after.getKeyGroups().getEnd()));
      }
    }
    return List.copyOf(keyed);
  }

  /** Every entry of every old subtask once; a name with two different values is refused. */
  private static List<NamedBytes> unionOfEntries(
      String operatorId, List<SubtaskState> subtasks, String checkpoint) {
    Map<String, NamedBytes> byName = new LinkedHashMap<>();
    Map<String, Integer> writer = new LinkedHashMap<>();
    for (SubtaskState subtask : subtasks) {
      for (NamedBytes entry : subtask.getEntriesList()) {
        NamedBytes earlier = byName.putIfAbsent(entry.getName(), entry);
        if (earlier == null) {
          writer.put(entry.getName(), subtask.getSubtaskIndex());
        } else if (!earlier.getValue().equals(entry.getValue())) {
          throw new IncompatibleCheckpointException(
              checkpoint + ": operator " + operatorId + " has entry '" + entry.getName()
                  + "' twice with different values (subtasks " + writer.get(entry.getName())
                  + " and " + subtask.getSubtaskIndex() + "); entry names must be unique"
                  + " across an operator's subtasks");
        }
      }
    }
    return List.copyOf(byName.values());
  }

  public long checkpointId() {
    return checkpointId;
  }

  public String jobDirectory() {
    return jobDirectory;
  }

  /**
   * The restore of one new subtask: for each of its operators, the keyed state of the old
   * subtasks whose key groups overlap {@code keyGroups} and all the operator's entries; an
   * operator the checkpoint does not have (new in this plan) restores nothing.
   *
   * @param operatorIds the operators the subtask runs (its stage's), each once
   * @param keyGroups the key groups the subtask owns in the new job
   */
  public SubtaskRestore subtask(List<String> operatorIds, KeyGroupRange keyGroups) {
    SubtaskRestore.Builder restore =
        SubtaskRestore.newBuilder().setCheckpointId(checkpointId).setJobDirectory(jobDirectory);
    dev.weir.checkpoint.proto.KeyGroupRange range =
        dev.weir.checkpoint.proto.KeyGroupRange.newBuilder()
            .setStart(keyGroups.start())
            .setEnd(keyGroups.end())
            .build();
    Set<String> seen = new LinkedHashSet<>();
    for (String operatorId : operatorIds) {
      if (!seen.add(operatorId)) {
        throw new IllegalArgumentException("Operator " + operatorId + " named twice");
      }
      OperatorRestore.Builder operator =
          OperatorRestore.newBuilder().setOperatorId(operatorId).setKeyGroups(range);
      OperatorState state = operators.get(operatorId);
      if (state != null) {
        for (SubtaskState old : state.keyed()) {
          if (overlaps(old.getKeyGroups(), keyGroups)) {
            operator.addKeyedState(old.getKeyedState());
          }
        }
        operator.addAllEntries(state.entries());
      }
      restore.addOperators(operator);
    }
    return restore.build();
  }

  private static boolean overlaps(dev.weir.checkpoint.proto.KeyGroupRange old, KeyGroupRange now) {
    return old.getStart() < now.end()
        && now.start() < old.getEnd()
        && old.getStart() < old.getEnd()
        && now.size() > 0;
  }
}
