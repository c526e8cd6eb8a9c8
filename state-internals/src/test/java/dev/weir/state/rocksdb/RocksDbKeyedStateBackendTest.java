package dev.weir.state.rocksdb;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedStateBackendContractTest;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.rules.TemporaryFolder;

public class RocksDbKeyedStateBackendTest extends KeyedStateBackendContractTest {
  private static RocksDbResources resources;

  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  @BeforeClass
  public static void createResources() {
    resources = RocksDbResources.forTests();
  }

  @AfterClass
  public static void closeResources() {
    resources.close();
  }

  @Override
  protected KeyedStateBackend createBackend(KeyGroupRange range) throws Exception {
    return RocksDbKeyedStateBackend.open(
        temp.newFolder().toPath().resolve("db"), range, resources, IntervalWindow.getCoder(), true);
  }
}
