package dev.weir.state.memory;

/**
 * A cell read from a snapshot and not yet bound: its kind and its contents as encoded by the
 * coders of its spec. It is decoded when the state is first bound (then the coders are known) and
 * written back unchanged by a later snapshot if it never is.
 */
final class StoredCell {
  final CellKind kind;
  final byte[] payload;

  StoredCell(CellKind kind, byte[] payload) {
    this.kind = kind;
    this.payload = payload;
  }
}
