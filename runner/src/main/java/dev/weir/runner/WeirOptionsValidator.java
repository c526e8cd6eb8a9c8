package dev.weir.runner;

import dev.weir.state.KeyGroups;

/** Checks {@link WeirPipelineOptions} at {@code run()}, naming the option that is wrong. */
final class WeirOptionsValidator {
  private WeirOptionsValidator() {}

  /** Key groups when neither --maxParallelism nor a --parallelism above it is given. */
  static final int DEFAULT_MAX_PARALLELISM = 128;

  /**
   * Returns what the job runs with; throws {@link IllegalArgumentException} naming the option
   * that is wrong.
   */
  static CheckedOptions validate(WeirPipelineOptions options) {
    // A count below one is refused below, by name.
    return validate(options, EmbeddedCluster.slots(Math.max(1, options.getEmbeddedWorkers())));
  }

  /** True if {@code --parallelism} is the default, -1: the cluster's size decides. */
  static boolean defaultParallelism(WeirPipelineOptions options) {
    Integer requested = options.getParallelism();
    return requested == null || requested == -1;
  }

  /**
   * As {@link #validate(WeirPipelineOptions)}, with {@code clusterSlots} as the parallelism of
   * {@code --parallelism=-1}: the embedded workers, or a {@code --weirMaster} cluster's slots.
   */
  static CheckedOptions validate(WeirPipelineOptions options, int clusterSlots) {
    if (options.getEmbeddedWorkers() < 1) {
      throw new IllegalArgumentException(
          "--embeddedWorkers must be at least 1, got " + options.getEmbeddedWorkers());
    }
    Integer requested = options.getParallelism();
    int parallelism = defaultParallelism(options) ? clusterSlots : requested;
    if (parallelism < 1) {
      throw new IllegalArgumentException(
          "--parallelism must be at least 1 (or -1 for the default), got " + requested);
    }
    Integer requestedMax = options.getMaxParallelism();
    int maxParallelism =
        requestedMax == null || requestedMax == -1
            ? defaultMaxParallelism(parallelism)
            : requestedMax;
    if (maxParallelism < 1 || maxParallelism > KeyGroups.MAX_KEY_GROUPS) {
      throw new IllegalArgumentException(
          "--maxParallelism must be between 1 and "
              + KeyGroups.MAX_KEY_GROUPS
              + " (or -1 for the default), got "
              + maxParallelism);
    }
    if (parallelism > maxParallelism) {
      throw new IllegalArgumentException(
          "--parallelism ("
              + parallelism
              + ") must not exceed --maxParallelism ("
              + maxParallelism
              + ")");
    }
    String stateBackend = stateBackend(options.getStateBackend());
    if (options.getRocksDbBlockCacheMb() < 1) {
      throw new IllegalArgumentException(
          "--rocksDbBlockCacheMb must be at least 1, got " + options.getRocksDbBlockCacheMb());
    }
    if (options.getRocksDbWriteBufferMb() < 1) {
      throw new IllegalArgumentException(
          "--rocksDbWriteBufferMb must be at least 1, got " + options.getRocksDbWriteBufferMb());
    }
    if (options.getRocksDbReadCacheMb() < 0) {
      throw new IllegalArgumentException(
          "--rocksDbReadCacheMb must be 0 (off) or positive, got "
              + options.getRocksDbReadCacheMb());
    }
    if (options.getNoProgressTimeoutSeconds() < 0) {
      throw new IllegalArgumentException(
          "--noProgressTimeoutSeconds must be 0 (off) or positive, got "
              + options.getNoProgressTimeoutSeconds());
    }
    if (options.getProgressLogSeconds() < 0) {
      throw new IllegalArgumentException(
          "--progressLogSeconds must be 0 (off) or positive, got "
              + options.getProgressLogSeconds());
    }
    String master = master(options);
    if (master != null) {
      int colon = master.lastIndexOf(':');
      boolean valid = colon > 0;
      if (valid) {
        try {
          int port = Integer.parseInt(master.substring(colon + 1));
          valid = port > 0 && port < 65536;
        } catch (NumberFormatException e) {
          valid = false;
        }
      }
      if (!valid) {
        throw new IllegalArgumentException(
            (options.getWeirMaster() != null ? "--weirMaster" : "--master")
                + " must be host:port of a Weir coordinator, got '"
                + master
                + "'");
      }
      if (options.getSecurityDir() == null && !options.isInsecure()) {
        throw new IllegalArgumentException(
            "--weirMaster needs the cluster's credentials: --securityDir=DIR, the directory the"
                + " coordinator was given (made by weir-security init DIR); or --insecure if the"
                + " coordinator runs with --insecure");
      }
    }
    if (options.getSecurityDir() != null && options.isInsecure()) {
      throw new IllegalArgumentException("--insecure and --securityDir exclude each other");
    }
    return new CheckedOptions(
        parallelism, maxParallelism, stateBackend, CheckpointSettings.from(options));
  }

  /**
   * The coordinator the job goes to: {@code --master} or {@code --weirMaster} (the same option
   * under two names), or null for an embedded cluster.
   *
   * @throws IllegalArgumentException if both are given with different values
   */
  static String master(WeirPipelineOptions options) {
    String weirMaster = options.getWeirMaster();
    String master = options.getMaster();
    if (weirMaster != null && master != null && !weirMaster.equals(master)) {
      throw new IllegalArgumentException(
          "--master="
              + master
              + " and --weirMaster="
              + weirMaster
              + " name different coordinators; they are the same option, give one");
    }
    return weirMaster != null ? weirMaster : master;
  }

  /**
   * 128 key groups, or for a parallelism above that the power of two at or above 1.5 times it, so
   * key groups still spread evenly over subtasks; at most {@link KeyGroups#MAX_KEY_GROUPS}. The
   * same rule as the Flink runner's default, so a job ported from it keeps its key group count.
   */
  static int defaultMaxParallelism(int parallelism) {
    if (parallelism <= DEFAULT_MAX_PARALLELISM) {
      return DEFAULT_MAX_PARALLELISM;
    }
    long wanted = (long) parallelism + parallelism / 2;
    long powerOfTwo = Long.highestOneBit(wanted - 1) << 1;
    return (int) Math.min(powerOfTwo, KeyGroups.MAX_KEY_GROUPS);
  }

  /** Absent means RocksDB; 'filesystem' is the Flink runner's name for its heap backend. */
  private static String stateBackend(String requested) {
    if (requested == null || requested.equalsIgnoreCase(CheckedOptions.ROCKSDB)) {
      return CheckedOptions.ROCKSDB;
    }
    if (requested.equalsIgnoreCase(CheckedOptions.MEMORY)
        || requested.equalsIgnoreCase("filesystem")) {
      return CheckedOptions.MEMORY;
    }
    throw new IllegalArgumentException(
        "--stateBackend must be 'rocksdb', 'memory' or 'filesystem' (the heap, as 'memory'), got '"
            + requested
            + "'");
  }
}
