package dev.weir.state.rocksdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import dev.weir.state.KeyGroupRange;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;

/**
 * Creates the RocksDB backends of one worker: each in its own directory under a state directory
 * this factory creates and, on {@link #close()}, removes, all sharing one {@link
 * RocksDbResources}.
 *
 * <p>A backend's directory is named by a number, not by its step: Beam's step names have no
 * length limit (a composite path, a file name, a schema transform's configuration) while a file
 * name has (255 bytes on most file systems). The directory name keeps the start of the step name
 * for people looking at the disk; the whole name is in {@link #STEP_FILE} inside.
 */
public final class RocksDbStateBackendFactory implements AutoCloseable {
  /** File in each backend's directory holding the full step name and the subtask. */
  static final String STEP_FILE = "weir-step.txt";

  /** Characters of the step name kept in a directory name. */
  private static final int NAME_PREFIX_LENGTH = 32;

  private final Path stateDirectory;
  private final AtomicLong directories = new AtomicLong();
  private final RocksDbResources resources;
  // The backends created, for memory(); a closed one is dropped at the next reading.
  private final Set<RocksDbKeyedStateBackend> created = ConcurrentHashMap.newKeySet();
  private static final long CLOSE_WAIT_SECONDS = 10;

  /** Removes the state directory if the JVM exits before {@link #close()} (a job left running). */
  private final Thread removeAtExit;
  private final ReentrantLock closing = new ReentrantLock();

  /**
   * @param parent where to create this worker's state directory (e.g. a local SSD mount)
   * @param blockCacheBytes block cache shared by all backends of the worker
   * @param writeBufferBytes memtable budget shared by all backends of the worker
   */
  public RocksDbStateBackendFactory(Path parent, long blockCacheBytes, long writeBufferBytes) {
    this(parent, blockCacheBytes, writeBufferBytes, RocksDbResources.DEFAULT_READ_CACHE_BYTES);
  }

  /**
   * @param parent where to create this worker's state directory (e.g. a local SSD mount)
   * @param blockCacheBytes block cache shared by all backends of the worker
   * @param writeBufferBytes memtable budget shared by all backends of the worker
   * @param readCacheBytes heap for each backend's cache of point reads; 0 turns it off
   */
  public RocksDbStateBackendFactory(
      Path parent, long blockCacheBytes, long writeBufferBytes, long readCacheBytes) {
    try {
      Files.createDirectories(parent);
      this.stateDirectory = Files.createTempDirectory(parent, "weir-state-");
    } catch (IOException e) {
      throw new RocksDbStateException("Cannot create state directory", parent, e);
    }
    this.resources = RocksDbResources.create(blockCacheBytes, writeBufferBytes, readCacheBytes);
    this.removeAtExit = new Thread(this::removeAtExit, "weir-remove-state-directory");
    Runtime.getRuntime().addShutdownHook(removeAtExit);
  }

  public Path stateDirectory() {
    return stateDirectory;
  }

  /** The native memory of the backends open now; for monitoring, from any thread. */
  public RocksDbMemory memory() {
    int instances = 0;
    long memtables = 0;
    long tableReaders = 0;
    for (Iterator<RocksDbKeyedStateBackend> it = created.iterator(); it.hasNext(); ) {
      long[] usage = it.next().memoryUsage();
      if (usage == null) {
        // Closed: no longer followed.
        it.remove();
        continue;
      }
      instances++;
      memtables += usage[0];
      tableReaders += usage[1];
    }
    return new RocksDbMemory(
        instances, Math.max(0, resources.blockCacheUsage()), memtables, tableReaders);
  }

  private RocksDbKeyedStateBackend followed(RocksDbKeyedStateBackend backend) {
    created.add(backend);
    return backend;
  }

  /** A new, empty backend; its directory is removed when it is closed. */
  public RocksDbKeyedStateBackend create(
      String operatorId,
      int subtask,
      KeyGroupRange range,
      Coder<? extends BoundedWindow> windowCoder) {
    return followed(
        namedAfter(
            operatorId,
            subtask,
            RocksDbKeyedStateBackend.open(
                newDirectory(operatorId, subtask), range, resources, windowCoder, true)));
  }

  /** A backend holding the key groups of {@code range} found in the given local snapshots. */
  public RocksDbKeyedStateBackend restore(
      String operatorId,
      int subtask,
      KeyGroupRange range,
      Coder<? extends BoundedWindow> windowCoder,
      List<Path> snapshots) {
    return followed(
        namedAfter(
            operatorId,
            subtask,
            RocksDbKeyedStateBackend.restore(
                newDirectory(operatorId, subtask), range, resources, windowCoder, true, snapshots)));
  }

  /** At most 32 + 1 + 10 + 1 + 19 characters, whatever the step's name. */
  private Path newDirectory(String operatorId, int subtask) {
    String prefix = operatorId.substring(0, Math.min(operatorId.length(), NAME_PREFIX_LENGTH));
    String safe = prefix.replaceAll("[^A-Za-z0-9._-]", "_");
    return stateDirectory.resolve(safe + "-" + subtask + "-" + directories.incrementAndGet());
  }

  /**
   * Writes the step name into the backend's directory, once RocksDB is open there (a restore
   * wants the directory empty); RocksDB leaves files it does not know alone.
   */
  private static RocksDbKeyedStateBackend namedAfter(
      String operatorId, int subtask, RocksDbKeyedStateBackend backend) {
    Path file = backend.directory().resolve(STEP_FILE);
    try {
      Files.writeString(
          file, operatorId + "\nsubtask " + subtask + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      backend.close();
      throw new RocksDbStateException("Cannot write " + STEP_FILE, backend.directory(), e);
    }
    return backend;
  }

  /** Call after closing the backends: frees the shared native memory and removes the directory. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(removeAtExit);
    } catch (IllegalStateException e) {
      // Closed while the JVM exits: the hook runs anyway, and waits for this close.
    }
    closing.lock();
    try {
      resources.close();
      RocksDbKeyedStateBackend.deleteRecursively(stateDirectory);
    } finally {
      closing.unlock();
    }
  }

  private void removeAtExit() {
    // If close() is running (from a worker's own shutdown hook), let it finish first, but never
    // hold up the JVM's exit for long.
    boolean locked = false;
    try {
      locked = closing.tryLock(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
      RocksDbKeyedStateBackend.deleteRecursively(stateDirectory);
    } catch (InterruptedException | RuntimeException e) {
      // The JVM is exiting; a directory RocksDB is still writing may not go away whole.
    } finally {
      if (locked) {
        closing.unlock();
      }
    }
  }
}
