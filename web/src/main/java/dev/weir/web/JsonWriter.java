package dev.weir.web;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Writes JSON text, escaping every string (so a step named {@code <script>} stays a string, and
 * {@code <}, {@code >} and {@code &} are escaped too, in case a response is ever read as HTML). The
 * web module has no JSON library: the runner's Jackson is not on its class path, and the few shapes
 * it writes need only this.
 */
final class JsonWriter {
  private final StringBuilder out = new StringBuilder();
  /** Per open object or array: whether it has a member already. */
  private final Deque<Boolean> hasMember = new ArrayDeque<>();
  private boolean afterName;

  JsonWriter beginObject() {
    separate();
    out.append('{');
    hasMember.push(false);
    return this;
  }

  JsonWriter endObject() {
    hasMember.pop();
    out.append('}');
    return this;
  }

  JsonWriter beginArray() {
    separate();
    out.append('[');
    hasMember.push(false);
    return this;
  }

  JsonWriter endArray() {
    hasMember.pop();
    out.append(']');
    return this;
  }

  JsonWriter name(String name) {
    separate();
    string(name);
    out.append(':');
    afterName = true;
    return this;
  }

  JsonWriter value(String value) {
    separate();
    if (value == null) {
      out.append("null");
    } else {
      string(value);
    }
    return this;
  }

  JsonWriter value(long value) {
    separate();
    out.append(value);
    return this;
  }

  JsonWriter value(boolean value) {
    separate();
    out.append(value);
    return this;
  }

  /** A long that may be absent: null writes JSON null. */
  JsonWriter value(Long value) {
    separate();
    out.append(value == null ? "null" : value.toString());
    return this;
  }

  JsonWriter nullValue() {
    separate();
    out.append("null");
    return this;
  }

  /** Shorthands for a named member. */
  JsonWriter field(String name, String value) {
    return name(name).value(value);
  }

  JsonWriter field(String name, long value) {
    return name(name).value(value);
  }

  JsonWriter field(String name, boolean value) {
    return name(name).value(value);
  }

  JsonWriter field(String name, Long value) {
    return name(name).value(value);
  }

  private void separate() {
    if (afterName) {
      afterName = false;
      return;
    }
    if (!hasMember.isEmpty()) {
      if (hasMember.peek()) {
        out.append(',');
      } else {
        hasMember.pop();
        hasMember.push(true);
      }
    }
  }

  private void string(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
