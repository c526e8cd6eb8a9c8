package dev.weir.state.rocksdb;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assume.assumeTrue;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.StateKey;
import dev.weir.state.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Native handles are released: a worker opens and closes a backend per subtask deployment, so a
 * leaked file descriptor or native buffer per cycle would exhaust a long-running worker.
 */
public class RocksDbOpenCloseCyclesTest {
  /** 1,000 by default; -Dweir.test.cycles=N to look for slower growth. */
  private static final int CYCLES = Integer.getInteger("weir.test.cycles", 1_000);
  private static final int WARM_UP_CYCLES = 50;
  private static final KeyGroupRange ALL = KeyGroupRange.of(0, TestKeys.MAX_PARALLELISM);

  @Rule public final TemporaryFolder temp = new TemporaryFolder(memoryBackedTemp());

  /**
   * Each open writes and fsyncs a MANIFEST and an OPTIONS file; on a busy disk that makes 1,000
   * cycles take minutes. What the test looks for (descriptors, native memory) does not depend on
   * the file system, so it runs on /dev/shm where there is one.
   */
  private static java.io.File memoryBackedTemp() {
    Path shm = Path.of("/dev/shm");
    return Files.isDirectory(shm) && Files.isWritable(shm)
        ? shm.toFile()
        : Path.of(System.getProperty("java.io.tmpdir")).toFile();
  }

  /** One cycle: open through the factory, write state and a timer, read, fire, close. */
  private static void openUseClose(RocksDbStateBackendFactory factory, int cycle) {
    try (RocksDbKeyedStateBackend backend =
        factory.create("op", cycle, ALL, GlobalWindow.Coder.INSTANCE)) {
      StateKey key = TestKeys.of("k" + cycle);
      backend
          .stateInternals(key)
          .state(StateNamespaces.global(), StateTags.value("v", VarLongCoder.of()))
          .write((long) cycle);
      backend
          .timerInternals(key)
          .setTimer(
              StateNamespaces.global(), "t", "", new Instant(1), new Instant(1), TimeDomain.EVENT_TIME);
      assertThat(
          backend
              .stateInternals(key)
              .state(StateNamespaces.global(), StateTags.value("v", VarLongCoder.of()))
              .read(),
          equalTo((long) cycle));
      assertThat(backend.pollDueTimer(TimeDomain.EVENT_TIME, new Instant(1)) != null, equalTo(true));
    }
  }

  @Test(timeout = 300_000)
  public void thousandOpenCloseCyclesLeakNoFileDescriptorsNativeMemoryOrDirectories()
      throws Exception {
    assumeTrue("needs /proc/self", ProcessResources.available());
    Path parent = temp.newFolder().toPath();
    try (RocksDbStateBackendFactory factory =
        new RocksDbStateBackendFactory(parent, 16L << 20, 8L << 20)) {
      for (int i = 0; i < WARM_UP_CYCLES; i++) {
        openUseClose(factory, i);
      }
      System.gc();
      int fdsBefore = ProcessResources.openFileDescriptors();
      long rssBefore = ProcessResources.residentBytesOutsideHeap();

      for (int i = WARM_UP_CYCLES; i < WARM_UP_CYCLES + CYCLES; i++) {
        openUseClose(factory, i);
      }
      System.gc();
      int fdsAfter = ProcessResources.openFileDescriptors();
      long rssAfter = ProcessResources.residentBytesOutsideHeap();

      // Printed to the surefire output file, for the record of what a run measured.
      System.out.printf(
          "%d cycles: open fds %d -> %d, resident outside heap %d -> %d MiB%n",
          CYCLES, fdsBefore, fdsAfter, rssBefore >> 20, rssAfter >> 20);
      // A few descriptors of slack for JVM and surefire activity; one leaked DB leaks several.
      assertThat("open file descriptors", fdsAfter - fdsBefore, lessThanOrEqualTo(5));
      // An unclosed RocksDB keeps its memtables and table readers: 1,000 of them would add far
      // more than this; allocator and JIT noise stays well below it.
      assertThat("resident memory growth outside the heap", rssAfter - rssBefore, lessThan(96L << 20));
      try (var left = Files.list(factory.stateDirectory())) {
        assertThat("backend directories left", left.count(), equalTo(0L));
      }
    }
  }

  @Test(timeout = 300_000)
  public void factoryCyclesReleaseSharedResourcesAndRemoveTheStateDirectory() throws Exception {
    assumeTrue("needs /proc/self", ProcessResources.available());
    Path parent = temp.newFolder().toPath();
    for (int i = 0; i < 10; i++) {
      try (RocksDbStateBackendFactory factory =
          new RocksDbStateBackendFactory(parent, 16L << 20, 8L << 20)) {
        openUseClose(factory, i);
      }
    }
    int fdsBefore = ProcessResources.openFileDescriptors();
    for (int i = 0; i < 100; i++) {
      Path directory;
      try (RocksDbStateBackendFactory factory =
          new RocksDbStateBackendFactory(parent, 16L << 20, 8L << 20)) {
        directory = factory.stateDirectory();
        openUseClose(factory, i);
      }
      assertThat(Files.exists(directory), equalTo(false));
    }
    assertThat(
        "open file descriptors",
        ProcessResources.openFileDescriptors() - fdsBefore,
        lessThanOrEqualTo(5));
  }
}
