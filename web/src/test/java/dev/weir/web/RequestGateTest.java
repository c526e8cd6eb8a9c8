package dev.weir.web;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.List;
import org.junit.Test;

public class RequestGateTest {

  @Test
  public void segmentsAreDecodedOnce() {
    assertEquals(List.of(), RequestGate.segments("/"));
    assertEquals(List.of("api", "v1", "jobs", "a b"), RequestGate.segments("/api/v1/jobs/a%20b"));
    assertEquals(List.of("jobs", "é"), RequestGate.segments("/jobs/%C3%A9"));
  }

  @Test
  public void dotSegmentsSlashesAndPercentSignsAfterDecodingAreRefused() {
    for (String path :
        List.of("/..", "/%2e%2e", "/a/%2E", "/a%2fb", "/a%5cb", "/%252e%252e", "/a//b", "/a/", "a",
            "/%zz", "/%4", "/%00", "/%ff")) {
      assertNull(path, RequestGate.segments(path));
    }
  }
}
