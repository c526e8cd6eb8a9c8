package dev.weir.state.rocksdb;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedStateSnapshotContractTest;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.junit.AfterClass;
import org.junit.BeforeClass;

public class RocksDbKeyedStateSnapshotTest extends KeyedStateSnapshotContractTest {
  private static RocksDbResources resources;

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

  @Override
  protected KeyedStateBackend restoreBackend(KeyGroupRange range, List<Path> snapshots)
      throws Exception {
    return RocksDbKeyedStateBackend.restore(
        temp.newFolder().toPath().resolve("db"),
        range,
        resources,
        IntervalWindow.getCoder(),
        true,
        snapshots);
  }
}
