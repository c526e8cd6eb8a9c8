package dev.weir.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.everit.json.schema.Schema;
import org.everit.json.schema.ValidationException;
import org.everit.json.schema.loader.SchemaLoader;
import org.json.JSONObject;
import org.json.JSONTokener;

/** The REST API's JSON schemas ({@code dev/weir/web/schemas/NAME.json}), checked by a library. */
public final class ResponseSchemas {
  private ResponseSchemas() {}

  /**
   * Parses {@code json} and checks it against schema {@code name}; throws an AssertionError listing
   * every violation.
   */
  public static JSONObject validate(String name, String json) {
    Schema schema = load(name);
    JSONObject parsed = new JSONObject(new JSONTokener(json));
    try {
      schema.validate(parsed);
    } catch (ValidationException e) {
      throw new AssertionError(
          "response does not match schema " + name + ": " + e.getAllMessages() + "\n" + json, e);
    }
    return parsed;
  }

  private static Schema load(String name) {
    try (InputStream in =
        ResponseSchemas.class.getResourceAsStream("/dev/weir/web/schemas/" + name + ".json")) {
      if (in == null) {
        throw new IllegalArgumentException("no schema " + name);
      }
      return SchemaLoader.builder()
          .schemaJson(new JSONObject(new JSONTokener(in)))
          .draftV7Support()
          .build()
          .load()
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
