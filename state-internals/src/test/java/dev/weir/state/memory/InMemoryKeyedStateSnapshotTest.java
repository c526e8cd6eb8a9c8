package dev.weir.state.memory;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedStateSnapshotContractTest;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;

public class InMemoryKeyedStateSnapshotTest extends KeyedStateSnapshotContractTest {
  @Override
  protected KeyedStateBackend createBackend(KeyGroupRange range) {
    return new InMemoryKeyedStateBackend(range);
  }

  @Override
  protected KeyedStateBackend restoreBackend(KeyGroupRange range, List<Path> snapshots) {
    return InMemoryKeyedStateBackend.restore(range, IntervalWindow.getCoder(), snapshots);
  }
}
