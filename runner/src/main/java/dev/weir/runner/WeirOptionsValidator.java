package dev.weir.runner;

import dev.weir.state.KeyGroups;

/** Checks {@link WeirPipelineOptions} at {@code run()}, naming the option that is wrong. */
final class WeirOptionsValidator {
  private WeirOptionsValidator() {}

  /** Returns the parallelism to use; throws {@link IllegalArgumentException} on bad options. */
  static int validate(WeirPipelineOptions options) {
    if (options.getNumWorkers() < 1) {
      throw new IllegalArgumentException(
          "--numWorkers must be at least 1, got " + options.getNumWorkers());
    }
    int maxParallelism = options.getMaxParallelism();
    if (maxParallelism < 1 || maxParallelism > KeyGroups.MAX_KEY_GROUPS) {
      throw new IllegalArgumentException(
          "--maxParallelism must be between 1 and "
              + KeyGroups.MAX_KEY_GROUPS
              + ", got "
              + maxParallelism);
    }
    Integer requested = options.getParallelism();
    int parallelism =
        requested == null || requested == -1 ? options.getNumWorkers() : requested;
    if (parallelism < 1) {
      throw new IllegalArgumentException(
          "--parallelism must be at least 1 (or -1 for the default), got " + requested);
    }
    if (parallelism > maxParallelism) {
      throw new IllegalArgumentException(
          "--parallelism ("
              + parallelism
              + ") must not exceed --maxParallelism ("
              + maxParallelism
              + ")");
    }
    String backend = options.getStateBackend();
    if (!"memory".equals(backend) && !"rocksdb".equals(backend)) {
      throw new IllegalArgumentException(
          "--stateBackend must be 'memory' or 'rocksdb', got '" + backend + "'");
    }
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
    String master = options.getMaster();
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
            "--master must be host:port of a Weir coordinator, got '" + master + "'");
      }
    }
    return parallelism;
  }
}
