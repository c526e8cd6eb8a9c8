package dev.weir.state.rocksdb;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.TestKeys;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class RocksDbStateDirectoryAtExitTest {
  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  /** Opens a backend, writes to it and exits without closing anything; prints the directory. */
  public static final class LeavesABackendOpen {
    public static void main(String[] args) {
      RocksDbStateBackendFactory factory =
          new RocksDbStateBackendFactory(Path.of(args[0]), 16L << 20, 8L << 20);
      KeyGroupRange range = KeyGroupRange.of(0, 128);
      RocksDbKeyedStateBackend backend =
          factory.create("op", 0, range, GlobalWindow.Coder.INSTANCE);
      backend
          .stateInternals(TestKeys.inRange("k", range))
          .state(StateNamespaces.global(), StateTags.value("v", StringUtf8Coder.of()))
          .write("x");
      System.out.println(factory.stateDirectory());
      System.exit(0);
    }
  }

  @Test
  public void aJvmThatExitsWithABackendOpenRemovesItsStateDirectory() throws Exception {
    File parent = temp.newFolder();
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LeavesABackendOpen.class.getName(),
                parent.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String printed = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue("the child exited", child.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, child.exitValue());
    assertTrue("the child created " + printed, printed.trim().startsWith(parent.toString()));
    assertTrue(Files.notExists(Path.of(printed.trim())));
    assertEquals(0, parent.list().length);
  }
}
