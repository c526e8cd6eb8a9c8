package dev.weir.state.memory;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.TestKeys;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StateInternalsTest;

/** Beam's own StateInternals suite against one key of the heap backend. */
public class InMemoryStateInternalsConformanceTest extends StateInternalsTest {
  @Override
  protected StateInternals createStateInternals() {
    return new InMemoryKeyedStateBackend(KeyGroupRange.of(0, TestKeys.MAX_PARALLELISM))
        .stateInternals(TestKeys.of("key"));
  }
}
