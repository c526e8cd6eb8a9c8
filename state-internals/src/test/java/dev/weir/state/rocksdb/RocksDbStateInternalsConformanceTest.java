package dev.weir.state.rocksdb;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.TestKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StateInternalsTest;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.rules.TemporaryFolder;

/** Beam's own StateInternals suite against one key of the RocksDB backend. */
public class RocksDbStateInternalsConformanceTest extends StateInternalsTest {
  private static RocksDbResources resources;

  @Rule public final TemporaryFolder temp = new TemporaryFolder();
  private RocksDbKeyedStateBackend backend;

  @BeforeClass
  public static void createResources() {
    resources = RocksDbResources.forTests();
  }

  @AfterClass
  public static void closeResources() {
    resources.close();
  }

  @Override
  protected StateInternals createStateInternals() {
    try {
      // Called from the superclass's @Before; JUnit applies rules around @Before, so the
      // temporary folder already exists.
      backend =
          RocksDbKeyedStateBackend.open(
              temp.newFolder().toPath().resolve("db"),
              KeyGroupRange.of(0, TestKeys.MAX_PARALLELISM),
              resources,
              GlobalWindow.Coder.INSTANCE,
              true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return backend.stateInternals(TestKeys.of("key"));
  }

  @After
  public void closeBackend() {
    backend.close();
  }
}
