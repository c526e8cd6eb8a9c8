package dev.weir.state.rocksdb;

import static org.junit.Assert.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.joda.time.Instant;
import org.junit.Test;

public class CellNamesTest {

  private static StateNamespace window(long start) {
    return StateNamespaces.window(
        IntervalWindow.getCoder(), new IntervalWindow(new Instant(start), new Instant(start + 10)));
  }

  private static byte[] stringKeyBytes(StateNamespace namespace) {
    return namespace.stringKey().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  public void aRememberedNamespaceNamesTheSameCellsAsItsStringKey() {
    CellNames names = new CellNames();
    StateNamespace namespace = window(0);

    assertArrayEquals(stringKeyBytes(namespace), names.namespace(namespace));
    // An equal namespace built anew, as ReduceFnRunner builds one per access.
    assertArrayEquals(stringKeyBytes(namespace), names.namespace(window(0)));
    assertArrayEquals(
        stringKeyBytes(StateNamespaces.global()), names.namespace(StateNamespaces.global()));
  }

  @Test
  public void namespacesPastTheBoundAreStillNamedByTheirStringKey() {
    CellNames names = new CellNames();
    for (long start = 0; start < 10_000; start++) {
      assertArrayEquals(stringKeyBytes(window(start)), names.namespace(window(start)));
    }
    assertArrayEquals(stringKeyBytes(window(3)), names.namespace(window(3)));
    StateNamespace withTrigger =
        StateNamespaces.windowAndTrigger(
            IntervalWindow.getCoder(), new IntervalWindow(new Instant(3), new Instant(13)), 1);
    assertArrayEquals(stringKeyBytes(withTrigger), names.namespace(withTrigger));
  }
}
