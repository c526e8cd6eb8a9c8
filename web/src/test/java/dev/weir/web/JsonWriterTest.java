package dev.weir.web;

import static org.junit.Assert.assertEquals;

import org.json.JSONObject;
import org.junit.Test;

public class JsonWriterTest {

  @Test
  public void nestedValuesAreSeparatedAndStringsEscaped() {
    String json =
        new JsonWriter()
            .beginObject()
            .field("a", 1L)
            .name("b")
            .beginArray()
            .value("x\"y\\z\n\u0001<&>")
            .nullValue()
            .beginObject()
            .endObject()
            .endArray()
            .field("c", (Long) null)
            .field("d", true)
            .endObject()
            .toString();
    assertEquals(
        "{\"a\":1,\"b\":[\"x\\\"y\\\\z\\n\\u0001\\u003c\\u0026\\u003e\",null,{}],\"c\":null,\"d\":true}",
        json);
    JSONObject parsed = new JSONObject(json);
    assertEquals("x\"y\\z\n\u0001<&>", parsed.getJSONArray("b").getString(0));
  }
}
