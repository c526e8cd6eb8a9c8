package dev.weir.state.rocksdb;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.emptyIterable;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import dev.weir.state.KeyGroupRange;
import dev.weir.state.TestKeys;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.MultimapState;
import org.apache.beam.sdk.state.OrderedListState;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** RocksDB state cells beyond what Beam's StateInternalsTest covers. */
public class RocksDbStateCellsTest {
  private static final StateNamespace GLOBAL = StateNamespaces.global();
  private static RocksDbResources resources;

  @Rule public final TemporaryFolder temp = new TemporaryFolder();
  private RocksDbKeyedStateBackend backend;
  private StateInternals state;

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
    state = backend.stateInternals(TestKeys.of("k"));
  }

  @After
  public void close() {
    backend.close();
  }

  private OrderedListState<String> orderedList() {
    return state.state(GLOBAL, StateTags.orderedList("list", StringUtf8Coder.of()));
  }

  private static TimestampedValue<String> tv(String value, long millis) {
    return TimestampedValue.of(value, new Instant(millis));
  }

  @Test
  public void orderedListKeepsElementsWithEqualTimestampsInInsertionOrder() {
    OrderedListState<String> list = orderedList();
    list.add(tv("c", 30));
    list.add(tv("a1", 10));
    list.add(tv("a2", 10));
    list.add(tv("neg", -5));
    list.add(tv("a3", 10));

    assertThat(list.read(), contains(tv("neg", -5), tv("a1", 10), tv("a2", 10), tv("a3", 10), tv("c", 30)));
  }

  @Test
  public void orderedListRangesIncludeTheStartAndExcludeTheLimit() {
    OrderedListState<String> list = orderedList();
    for (int t = 0; t < 10; t++) {
      list.add(tv("x" + t, t));
      list.add(tv("y" + t, t));
    }
    assertThat(
        list.readRange(new Instant(3), new Instant(5)),
        contains(tv("x3", 3), tv("y3", 3), tv("x4", 4), tv("y4", 4)));

    list.clearRange(new Instant(2), new Instant(8));
    assertThat(
        list.read(),
        contains(tv("x0", 0), tv("y0", 0), tv("x1", 1), tv("y1", 1), tv("x8", 8), tv("y8", 8), tv("x9", 9), tv("y9", 9)));
    assertThat(list.isEmpty().read(), is(false));
    list.clear();
    assertThat(list.isEmpty().read(), is(true));
  }

  @Test
  public void multimapKeepsDuplicateValuesAndListsEachKeyOnce() {
    MultimapState<String, Integer> multimap =
        state.state(GLOBAL, StateTags.multimap("mm", StringUtf8Coder.of(), VarIntCoder.of()));
    multimap.put("a", 1);
    multimap.put("b", 2);
    multimap.put("a", 1);
    multimap.put("a", 3);

    assertThat(multimap.get("a").read(), contains(1, 1, 3));
    assertThat(multimap.keys().read(), contains("a", "b"));
    assertThat(multimap.containsKey("b").read(), is(true));
    assertThat(multimap.containsKey("c").read(), is(false));
    List<String> entries = new ArrayList<>();
    for (Map.Entry<String, Integer> e : multimap.entries().read()) {
      entries.add(e.getKey() + "=" + e.getValue());
    }
    assertThat(entries, containsInAnyOrder("a=1", "a=1", "a=3", "b=2"));

    multimap.remove("a");
    assertThat(multimap.get("a").read(), emptyIterable());
    assertThat(multimap.keys().read(), contains("b"));
    multimap.clear();
    assertThat(multimap.isEmpty().read(), is(true));
  }

  @Test
  public void multimapKeysThatArePrefixesOfOthersStayApart() {
    MultimapState<String, Integer> multimap =
        state.state(GLOBAL, StateTags.multimap("mm", StringUtf8Coder.of(), VarIntCoder.of()));
    multimap.put("ab", 1);
    multimap.put("a", 2);
    multimap.put("abc", 3);
    assertThat(multimap.get("a").read(), contains(2));
    assertThat(multimap.keys().read(), containsInAnyOrder("a", "ab", "abc"));
  }

  /**
   * Adds {@code element} and applies the pending batch (a read does), so the element is stored as
   * a RocksDB entry of its own instead of sharing a chunk with the next ones: how a bag that gets
   * one element per batch is stored.
   */
  private static void addAsOwnEntry(BagState<Integer> bag, int element) {
    bag.add(element);
    bag.read();
  }

  @Test
  public void bagOfMoreEntriesThanOneScanChunkIsReadInInsertionOrderAndCanBeReadPartially() {
    BagState<Integer> bag = state.state(GLOBAL, StateTags.bag("bag", VarIntCoder.of()));
    int n = RocksDbStore.SCAN_CHUNK * 3 + 7;
    for (int i = 0; i < n; i++) {
      addAsOwnEntry(bag, i);
    }
    List<Integer> all = new ArrayList<>();
    bag.read().forEach(all::add);
    assertThat(all.size(), equalTo(n));
    for (int i = 0; i < n; i++) {
      assertThat(all.get(i), equalTo(i));
    }
    // Stopping half way must not leave native iterators behind (scans are chunked).
    Iterator<Integer> partial = bag.read().iterator();
    assertThat(partial.next(), equalTo(0));
    bag.clear();
    assertThat(bag.isEmpty().read(), is(true));
  }

  @Test
  public void aLargeBagReadSpansSeveralSnapshotChunksAndEveryIterationSeesTheSameElements() {
    BagState<Integer> bag = state.state(GLOBAL, StateTags.bag("bag", VarIntCoder.of()));
    int n = RocksDbStore.SCAN_CHUNK + 2 * RocksDbStore.SNAPSHOT_SCAN_CHUNK + 3;
    for (int i = 0; i < n; i++) {
      addAsOwnEntry(bag, i);
    }
    Iterable<Integer> read = bag.read();
    // Added after the read: Beam's read() is a snapshot, so neither iteration shows it.
    bag.add(-1);
    for (int pass = 0; pass < 2; pass++) {
      List<Integer> all = new ArrayList<>();
      read.forEach(all::add);
      assertThat(all.size(), equalTo(n));
      for (int i = 0; i < n; i++) {
        assertThat(all.get(i), equalTo(i));
      }
    }
  }

  @Test
  public void elementsAddedInOneBatchAreCombinedIntoChunksAndReadBackInOrderPerBag() {
    BagState<String> first = state.state(GLOBAL, StateTags.bag("first", StringUtf8Coder.of()));
    BagState<String> second = state.state(GLOBAL, StateTags.bag("second", StringUtf8Coder.of()));
    // 100-byte elements: several 16 KiB chunks per bag, and several 1 MiB scan chunks.
    int n = 3 * RocksDbStore.SCAN_CHUNK_BYTES / 100;
    String padding = "x".repeat(94);
    for (int i = 0; i < n; i++) {
      first.add(String.format("%05d", i) + padding);
      second.add(String.format("%05d", n - i) + padding);
    }
    Iterable<String> read = first.read();
    first.add("after the read");
    List<String> firstAll = new ArrayList<>();
    read.forEach(firstAll::add);
    List<String> secondAll = new ArrayList<>();
    second.read().forEach(secondAll::add);
    assertThat(firstAll.size(), equalTo(n));
    assertThat(secondAll.size(), equalTo(n));
    for (int i = 0; i < n; i++) {
      assertThat(firstAll.get(i), equalTo(String.format("%05d", i) + padding));
      assertThat(secondAll.get(i), equalTo(String.format("%05d", n - i) + padding));
    }
    second.clear();
    assertThat(second.isEmpty().read(), is(true));
    assertThat(second.read(), emptyIterable());
    assertThat(first.isEmpty().read(), is(false));
  }

  @Test
  public void anElementLargerThanAChunkIsStoredWhole() {
    BagState<String> bag = state.state(GLOBAL, StateTags.bag("bag", StringUtf8Coder.of()));
    String large = "y".repeat(3 * PendingAppends.MAX_CHUNK_BYTES);
    bag.add("small");
    bag.add(large);
    bag.add("last");
    assertThat(bag.read(), contains("small", large, "last"));
  }

  @Test
  public void stateOfDifferentKeysNamespacesAndIdsIsSeparate() {
    StateNamespace window = StateNamespaces.window(GlobalWindow.Coder.INSTANCE, GlobalWindow.INSTANCE);
    BagState<Integer> a = state.state(GLOBAL, StateTags.bag("bag", VarIntCoder.of()));
    BagState<Integer> b = state.state(window, StateTags.bag("bag", VarIntCoder.of()));
    BagState<Integer> c = state.state(GLOBAL, StateTags.bag("bag2", VarIntCoder.of()));
    BagState<Integer> d =
        backend.stateInternals(TestKeys.of("other")).state(GLOBAL, StateTags.bag("bag", VarIntCoder.of()));
    a.add(1);
    b.add(2);
    c.add(3);
    d.add(4);
    assertThat(a.read(), contains(1));
    assertThat(b.read(), contains(2));
    assertThat(c.read(), contains(3));
    assertThat(d.read(), contains(4));
    a.clear();
    assertThat(c.read(), contains(3));
  }
}
