package dev.weir.state.memory;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.KeyedStateBackendContractTest;

public class InMemoryKeyedStateBackendTest extends KeyedStateBackendContractTest {
  @Override
  protected KeyedStateBackend createBackend(KeyGroupRange range) {
    return new InMemoryKeyedStateBackend(range);
  }
}
