package dev.weir.state.rocksdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What this JVM holds from the operating system, read from /proc/self (Linux only). */
final class ProcessResources {
  private static final Path FD = Path.of("/proc/self/fd");
  private static final Path STATUS = Path.of("/proc/self/status");

  private ProcessResources() {}

  static boolean available() {
    return Files.isDirectory(FD) && Files.isRegularFile(STATUS);
  }

  static int openFileDescriptors() {
    try (Stream<Path> fds = Files.list(FD)) {
      return (int) fds.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Resident memory outside the Java heap: RSS minus the committed heap, so that the heap growing
   * (G1 commits more as a test allocates) is not mistaken for a native leak.
   */
  static long residentBytesOutsideHeap() {
    return residentBytes()
        - java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
  }

  /** Resident set size in bytes: heap, native (RocksDB) memory and mapped files. */
  static long residentBytes() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmRSS:")) {
          // "VmRSS:    123456 kB"
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("No VmRSS in " + STATUS);
  }
}
