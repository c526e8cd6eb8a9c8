package dev.weir.runner;

/**
 * What a job runs with after {@link WeirOptionsValidator} checked {@link WeirPipelineOptions}:
 * the Flink runner's "unset" values that Weir shares (-1, an absent state backend) replaced by what
 * Weir does for them.
 *
 * @param parallelism subtasks of each stage
 * @param maxParallelism number of key groups
 * @param stateBackend {@code "rocksdb"} or {@code "memory"}
 * @param checkpoints checkpoints and restarts
 */
record CheckedOptions(
    int parallelism, int maxParallelism, String stateBackend, CheckpointSettings checkpoints) {
  static final String ROCKSDB = "rocksdb";
  static final String MEMORY = "memory";

  boolean rocksDb() {
    return ROCKSDB.equals(stateBackend);
  }
}
