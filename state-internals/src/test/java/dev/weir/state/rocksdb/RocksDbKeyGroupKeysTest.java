package dev.weir.state.rocksdb;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.StateKey;
import dev.weir.state.TestKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.joda.time.Instant;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@link RocksDbKeyedStateBackend#forEachKey}: the keys of one key group, each once. */
public class RocksDbKeyGroupKeysTest {
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

  @Before
  public void open() throws Exception {
    backend =
        RocksDbKeyedStateBackend.open(
            temp.newFolder().toPath().resolve("db"),
            KeyGroupRange.of(0, TestKeys.MAX_PARALLELISM),
            resources,
            GlobalWindow.Coder.INSTANCE,
            true);
  }

  @After
  public void close() {
    backend.close();
  }

  private static Set<String> hex(List<byte[]> keys) {
    Set<String> out = new TreeSet<>();
    for (byte[] k : keys) {
      out.add(Arrays.toString(k));
    }
    return out;
  }

  private List<byte[]> keysOf(int keyGroup) {
    List<byte[]> keys = new ArrayList<>();
    backend.forEachKey(keyGroup, keys::add);
    return keys;
  }

  @Test
  public void visitsEachKeyOfTheKeyGroupOnceWhateverItsStateAndTimers() {
    int group = TestKeys.of("key-0").keyGroup();
    Set<String> expected = new TreeSet<>();
    int withState = 0;
    for (int i = 0; withState < 30; i++) {
      StateKey key = TestKeys.of("key-" + i);
      if (key.keyGroup() != group) {
        // Keys of other groups are written too: they must not be visited.
        backend.stateInternals(key).state(StateNamespaces.global(), StateTags.value("v", VarLongCoder.of())).write(1L);
        continue;
      }
      withState++;
      expected.add(Arrays.toString(key.bytes()));
      // Several cells per key, so the iteration has to skip past a key's other entries.
      backend.stateInternals(key).state(StateNamespaces.global(), StateTags.value("v", VarLongCoder.of())).write(1L);
      if (withState % 2 == 0) {
        backend.stateInternals(key).state(StateNamespaces.global(), StateTags.bag("b", StringUtf8Coder.of())).add("x");
        backend.stateInternals(key).state(StateNamespaces.global(), StateTags.bag("b", StringUtf8Coder.of())).add("y");
      }
      if (withState % 3 == 0) {
        backend.timerInternals(key).setTimer(StateNamespaces.global(), "t", "", new Instant(5), new Instant(5), TimeDomain.EVENT_TIME);
      }
    }
    // A key with only a timer, no state.
    StateKey timerOnly = TestKeys.inRange("timer-only", KeyGroupRange.of(group, group + 1));
    backend.timerInternals(timerOnly).setTimer(StateNamespaces.global(), "t", "", new Instant(9), new Instant(9), TimeDomain.PROCESSING_TIME);
    expected.add(Arrays.toString(timerOnly.bytes()));
    // A key with only a bag: single values and collections live in different column families.
    StateKey bagOnly = TestKeys.inRange("bag-only", KeyGroupRange.of(group, group + 1));
    backend.stateInternals(bagOnly).state(StateNamespaces.global(), StateTags.bag("b", StringUtf8Coder.of())).add("z");
    expected.add(Arrays.toString(bagOnly.bytes()));

    List<byte[]> visited = keysOf(group);

    assertThat(visited.size(), equalTo(expected.size()));
    assertThat(hex(visited), equalTo(expected));
  }

  @Test
  public void visitsNothingInAnEmptyKeyGroupOrAfterItsStateIsCleared() {
    StateKey key = TestKeys.of("only");
    int group = key.keyGroup();
    assertThat(keysOf(group), empty());

    backend.stateInternals(key).state(StateNamespaces.global(), StateTags.value("v", VarLongCoder.of())).write(1L);
    assertThat(keysOf(group).size(), equalTo(1));

    backend.stateInternals(key).state(StateNamespaces.global(), StateTags.value("v", VarLongCoder.of())).clear();
    assertThat(keysOf(group), empty());
  }

  @Test
  public void refusesAKeyGroupTheBackendDoesNotOwn() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> backend.forEachKey(TestKeys.MAX_PARALLELISM, k -> {}));
    assertThat(e.getMessage(), containsString("not in this backend"));
  }
}
