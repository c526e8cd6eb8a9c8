package dev.weir.state.rocksdb;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.Assert.assertThrows;
import static org.junit.Assume.assumeTrue;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.StateKey;
import dev.weir.state.TestKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A full disk fails the task with an error naming the state directory; it never drops writes
 * silently. The disk is a real 4 MiB tmpfs mounted for the test, so it needs root and a sandbox
 * that allows {@code mount}; elsewhere the test is skipped. (Permissions cannot simulate it: root
 * writes through a read-only directory.)
 */
public class RocksDbFullDiskTest {
  private static final StateTag<ValueState<byte[]>> VALUE =
      StateTags.value("v", ByteArrayCoder.of());

  @Rule public final TemporaryFolder temp = new TemporaryFolder();
  private Path mountPoint;
  private boolean mounted;

  @Before
  public void mountTinyDisk() throws Exception {
    mountPoint = temp.newFolder("tiny-disk").toPath();
    mounted = run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint.toString());
    assumeTrue("cannot mount a tmpfs here (needs root and mount rights)", mounted);
  }

  @After
  public void unmount() throws Exception {
    if (mounted) {
      run("umount", "-l", mountPoint.toString());
    }
  }

  private static boolean run(String... command) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return false; // no such command
    }
    p.getInputStream().readAllBytes();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  @Test(timeout = 120_000)
  public void writesBeyondAFullDiskFailWithTheStateDirectoryInTheMessage() throws Exception {
    RocksDbStateBackendFactory factory =
        new RocksDbStateBackendFactory(mountPoint, 16L << 20, 1L << 20);
    RocksDbKeyedStateBackend backend =
        factory.create("op", 0, KeyGroupRange.of(0, TestKeys.MAX_PARALLELISM), GlobalWindow.Coder.INSTANCE);
    byte[] value = new byte[4096];
    Arrays.fill(value, (byte) 7);
    int written = 0;
    RocksDbStateException failure = null;
    try {
      // Distinct values soon cannot fit 4 MiB; RocksDB reports the failed background flush on a
      // later write (writes skip the log, so the flush is where the disk is first touched). The
      // flush runs in the background, so keep writing until it has failed, within a generous bound.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (; failure == null && System.nanoTime() < deadline; written++) {
        StateKey key = TestKeys.of("k" + written);
        try {
          backend.stateInternals(key).state(StateNamespaces.global(), VALUE).write(value);
        } catch (RocksDbStateException e) {
          failure = e;
        }
        if (written >= 16_384) {
          // Far more than fits: give the background flush time to report its failure.
          Thread.sleep(10);
        }
      }
      assertThat("a write failed on a full 4 MiB disk within 60 s", failure, notNullValue());
      assertThat(failure.getMessage(), containsString(backend.directory().toString()));
      assertThat(failure.getMessage().toLowerCase(), containsString("space"));

      // And the backend stays failed rather than accepting writes it cannot keep.
      StateKey later = TestKeys.of("after-failure");
      RocksDbStateException again =
          assertThrows(
              RocksDbStateException.class,
              () -> backend.stateInternals(later).state(StateNamespaces.global(), VALUE).write(value));
      assertThat(again.getMessage(), containsString(backend.directory().toString()));
    } finally {
      closeQuietly(backend, factory);
    }
    assertThat(written > 0, equalTo(true));
  }

  /** Closing may itself fail on the full disk; the test is about the write path. */
  private static void closeQuietly(RocksDbKeyedStateBackend backend, RocksDbStateBackendFactory factory) {
    try {
      backend.close();
    } catch (RuntimeException ignored) {
      // best effort
    }
    try {
      factory.close();
    } catch (RuntimeException ignored) {
      // best effort
    }
  }
}
