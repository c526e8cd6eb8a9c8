package dev.weir.state.rocksdb;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class RocksDbStateBackendFactoryTest {
  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private static final KeyGroupRange RANGE = KeyGroupRange.of(0, 128);
  private static final StateTag<ValueState<String>> VALUE =
      StateTags.value("v", StringUtf8Coder.of());

  /** A step name as long as Beam makes them for composite transforms deep in a pipeline. */
  private static String longStepName(int length) {
    StringBuilder name = new StringBuilder("Read from /tmp/junit1234/some/deep/dir/");
    while (name.length() < length) {
      name.append("Composite/Ünïcode step/");
    }
    return name.substring(0, length);
  }

  private static void writeAndRead(RocksDbKeyedStateBackend backend) {
    ValueState<String> value =
        backend
            .stateInternals(TestKeys.inRange("k", RANGE))
            .state(StateNamespaces.global(), VALUE);
    value.write("x");
    assertEquals("x", value.read());
  }

  @Test
  public void aStepNameOfAnyLengthGetsAShortDirectoryNamingTheStepInAFile() throws Exception {
    try (RocksDbStateBackendFactory factory =
        new RocksDbStateBackendFactory(temp.newFolder().toPath(), 16L << 20, 8L << 20)) {
      for (int length : new int[] {1, 300, 5000}) {
        String step = longStepName(length);
        try (RocksDbKeyedStateBackend backend =
            factory.create(step, 7, RANGE, GlobalWindow.Coder.INSTANCE)) {
          writeAndRead(backend);
          Path directory = backend.directory();
          assertEquals(factory.stateDirectory(), directory.getParent());
          String name = directory.getFileName().toString();
          assertTrue(name, name.length() <= 64);
          assertEquals(
              List.of(step, "subtask 7"),
              Files.readAllLines(
                  directory.resolve(RocksDbStateBackendFactory.STEP_FILE),
                  StandardCharsets.UTF_8));
        }
      }
    }
  }

  @Test
  public void aLongStepNameIsRestoredIntoAShortDirectory() throws Exception {
    String step = longStepName(300);
    try (RocksDbStateBackendFactory factory =
        new RocksDbStateBackendFactory(temp.newFolder().toPath(), 16L << 20, 8L << 20)) {
      Path snapshot = temp.getRoot().toPath().resolve("snapshot");
      try (RocksDbKeyedStateBackend backend =
          factory.create(step, 0, RANGE, GlobalWindow.Coder.INSTANCE)) {
        writeAndRead(backend);
        backend.snapshot(snapshot);
      }
      try (RocksDbKeyedStateBackend restored =
          factory.restore(step, 0, RANGE, GlobalWindow.Coder.INSTANCE, List.of(snapshot))) {
        assertEquals(
            "x",
            restored
                .stateInternals(TestKeys.inRange("k", RANGE))
                .state(StateNamespaces.global(), VALUE)
                .read());
        assertTrue(restored.directory().getFileName().toString().length() <= 64);
      }
    }
  }

  @Test
  public void twoBackendsOfOneStepAndSubtaskGetTwoDirectories() throws Exception {
    try (RocksDbStateBackendFactory factory =
            new RocksDbStateBackendFactory(temp.newFolder().toPath(), 16L << 20, 8L << 20);
        RocksDbKeyedStateBackend first =
            factory.create("step", 0, RANGE, GlobalWindow.Coder.INSTANCE);
        RocksDbKeyedStateBackend second =
            factory.create("step", 0, RANGE, GlobalWindow.Coder.INSTANCE)) {
      assertNotEquals(first.directory(), second.directory());
    }
  }

  @Test
  public void memoryCountsTheOpenBackendsAndTheirMemtables() throws Exception {
    try (RocksDbStateBackendFactory factory =
        new RocksDbStateBackendFactory(temp.newFolder().toPath(), 16L << 20, 8L << 20)) {
      assertEquals(new RocksDbMemory(0, factory.memory().blockCacheBytes(), 0, 0), factory.memory());
      RocksDbKeyedStateBackend first = factory.create("a", 0, RANGE, GlobalWindow.Coder.INSTANCE);
      try (RocksDbKeyedStateBackend second =
          factory.create("b", 1, RANGE, GlobalWindow.Coder.INSTANCE)) {
        assertEquals(2, factory.memory().instances());
        for (int i = 0; i < 2_000; i++) {
          ValueState<String> value =
              second
                  .stateInternals(TestKeys.inRange("k" + i, RANGE))
                  .state(StateNamespaces.global(), VALUE);
          value.write("value " + i);
          assertEquals("value " + i, value.read());
        }
        // The writes reach the memtable through the backend's writer thread.
        long deadline = System.currentTimeMillis() + 30_000;
        while (factory.memory().memtableBytes() == 0) {
          assertTrue("memtables stay empty", System.currentTimeMillis() < deadline);
          Thread.sleep(50);
        }
        first.close();
        RocksDbMemory one = factory.memory();
        assertEquals(1, one.instances());
        assertTrue(one.toString(), one.memtableBytes() > 0);
        assertTrue(one.toString(), one.tableReadersBytes() >= 0);
        // The write buffer manager charges memtables to the shared block cache.
        assertTrue(one.toString(), one.blockCacheBytes() > 0);
      }
      assertEquals(0, factory.memory().instances());
    }
  }
}
