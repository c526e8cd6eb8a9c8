package dev.weir.worker.usercode;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ArtifactCacheTest {
  @Rule public TemporaryFolder folder = new TemporaryFolder();

  private static final byte[] JAR = "not really a jar, but bytes all the same".getBytes(StandardCharsets.UTF_8);

  private JobArtifact artifact() throws IOException {
    Path file = folder.newFile("user.jar").toPath();
    Files.write(file, JAR);
    return JobArtifact.of(file);
  }

  /** Serves {@code bytes} in chunks of at most 7 bytes, counting the reads. */
  private static ArtifactSource serving(byte[] bytes, AtomicInteger reads) {
    return (sha256, offset, maxBytes) -> {
      reads.incrementAndGet();
      int end = (int) Math.min(bytes.length, offset + Math.min(maxBytes, 7));
      return Arrays.copyOfRange(bytes, (int) offset, end);
    };
  }

  @Test
  public void anArtifactIsFetchedInChunksOnceAndThenServedFromDisk() throws Exception {
    JobArtifact artifact = artifact();
    AtomicInteger reads = new AtomicInteger();
    ArtifactCache cache = new ArtifactCache(folder.newFolder("cache").toPath(), serving(JAR, reads));

    Path cached = cache.get(artifact);
    assertArrayEquals(JAR, Files.readAllBytes(cached));
    assertEquals(artifact.sha256() + ".jar", cached.getFileName().toString());
    int fetched = reads.get();
    assertTrue(fetched > 1);

    assertEquals(cached, cache.get(artifact));
    assertEquals("a cached artifact is not fetched again", fetched, reads.get());
  }

  @Test
  public void bytesThatDoNotMatchTheChecksumAreRefusedAndNotCached() throws Exception {
    JobArtifact artifact = artifact();
    byte[] damaged = JAR.clone();
    damaged[3] ^= 1;
    Path directory = folder.newFolder("cache").toPath();
    ArtifactCache cache = new ArtifactCache(directory, serving(damaged, new AtomicInteger()));

    IOException refused = assertThrows(IOException.class, () -> cache.get(artifact));
    assertTrue(refused.getMessage(), refused.getMessage().contains("arrived damaged"));
    try (var files = Files.list(directory)) {
      assertFalse("a damaged artifact left a file behind", files.findAny().isPresent());
    }
  }
}
