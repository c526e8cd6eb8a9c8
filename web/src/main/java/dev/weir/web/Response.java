package dev.weir.web;

import java.nio.charset.StandardCharsets;

/** What the server sends back: a status, a content type and the body's bytes. */
record Response(int status, String contentType, byte[] body) {
  static final String JSON = "application/json; charset=utf-8";

  static Response json(int status, String body) {
    return new Response(status, JSON, body.getBytes(StandardCharsets.UTF_8));
  }

  /** An error as JSON: {@code {"error": status, "message": ...}}. */
  static Response error(int status, String message) {
    return json(
        status,
        new JsonWriter()
            .beginObject()
            .field("error", status)
            .field("message", message)
            .endObject()
            .toString());
  }
}
