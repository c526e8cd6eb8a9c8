package dev.weir.state.rocksdb;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;

/**
 * The UTF-8 bytes of the strings that name cells, remembered: every state access builds its
 * cell's prefix from a state id and a namespace key, and runners access state per element, so
 * the same few ids would otherwise be encoded again and again. Used by one task thread.
 */
final class CellNames {
  /** State ids are fixed by the pipeline's code; the bound only guards against odd callers. */
  private static final int MAX_REMEMBERED_IDS = 1024;

  private static final byte[] GLOBAL =
      StateNamespaces.global().stringKey().getBytes(StandardCharsets.UTF_8);

  private final Map<String, byte[]> ids = new HashMap<>();

  byte[] id(String id) {
    byte[] bytes = ids.get(id);
    if (bytes == null) {
      bytes = id.getBytes(StandardCharsets.UTF_8);
      if (ids.size() < MAX_REMEMBERED_IDS) {
        ids.put(id, bytes);
      }
    }
    return bytes;
  }

  /** Window namespaces are many and short-lived, so only the global one is remembered. */
  static byte[] namespace(StateNamespace namespace) {
    return namespace instanceof StateNamespaces.GlobalNamespace
        ? GLOBAL
        : namespace.stringKey().getBytes(StandardCharsets.UTF_8);
  }
}
