package dev.weir.state.memory;

/**
 * The kind of a state cell, stored with each cell of a heap snapshot so that a restore into a
 * pipeline that now declares another kind of state under the same id fails instead of misreading
 * bytes. The codes are part of the snapshot format: never renumber them.
 */
enum CellKind {
  VALUE(1),
  BAG(2),
  COMBINING(3),
  SET(4),
  MAP(5),
  MULTIMAP(6),
  ORDERED_LIST(7),
  WATERMARK_HOLD(8);

  final int code;

  CellKind(int code) {
    this.code = code;
  }

  static CellKind ofCode(int code) {
    for (CellKind kind : values()) {
      if (kind.code == code) {
        return kind;
      }
    }
    throw new IllegalArgumentException("Unknown state cell kind " + code);
  }
}
