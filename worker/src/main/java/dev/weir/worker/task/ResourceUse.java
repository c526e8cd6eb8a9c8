package dev.weir.worker.task;

import dev.weir.state.rocksdb.RocksDbMemory;
import dev.weir.state.rocksdb.RocksDbStateBackendFactory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A worker's memory and disk as its heartbeats report them, for the web's {@code workers/{id}}. A
 * value not known is -1.
 *
 * @param stateDirFreeBytes usable bytes of the file system of the worker's state directory
 * @param rocksDb its RocksDB backends' native memory; null with the heap backend
 */
public record ResourceUse(
    long heapUsedBytes, long heapMaxBytes, long stateDirFreeBytes, @Nullable RocksDbMemory rocksDb) {

  /** Read now, in this JVM. */
  public static ResourceUse read(Path stateDirectory, @Nullable RocksDbStateBackendFactory rocks) {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long free;
    try {
      free = Files.getFileStore(stateDirectory).getUsableSpace();
    } catch (IOException | RuntimeException e) {
      free = -1;
    }
    return new ResourceUse(
        heap.getUsed(), heap.getMax(), free, rocks == null ? null : rocks.memory());
  }
}
