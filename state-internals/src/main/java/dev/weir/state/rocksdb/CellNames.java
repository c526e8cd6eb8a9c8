package dev.weir.state.rocksdb;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaces;

/**
 * The UTF-8 bytes of the strings that name cells, remembered: every state access builds its
 * cell's prefix from a state id and a namespace key, and runners access state per element, so
 * the same few ids and windows would otherwise be encoded again and again. Used by one task
 * thread.
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

  /**
   * Window namespaces seen lately. A namespace's key is its window encoded and then base64'd
   * ({@code stringKey()}), which measured 14% of a session-window query's samples when done on
   * every state access; yet one ReduceFnRunner call touches the same window's cells a dozen times
   * (buffer, trigger bits, holds, pane info), and keys of one time range share windows. Windows
   * are many over a job's life, so the map is emptied when it grows past its bound rather than
   * kept.
   */
  private static final int MAX_REMEMBERED_NAMESPACES = 4096;

  private final Map<StateNamespace, byte[]> namespaces = new HashMap<>();

  byte[] namespace(StateNamespace namespace) {
    if (namespace instanceof StateNamespaces.GlobalNamespace) {
      return GLOBAL;
    }
    byte[] bytes = namespaces.get(namespace);
    if (bytes == null) {
      bytes = namespace.stringKey().getBytes(StandardCharsets.UTF_8);
      if (namespaces.size() >= MAX_REMEMBERED_NAMESPACES) {
        namespaces.clear();
      }
      namespaces.put(namespace, bytes);
    }
    return bytes;
  }
}
