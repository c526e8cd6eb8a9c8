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
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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

  /** An artifact of {@code size} bytes of {@code fill}, and a source serving it. */
  private JobArtifact artifactOf(String name, int size, byte fill, Map<String, byte[]> served)
      throws IOException {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, fill);
    Path file = folder.newFile(name).toPath();
    Files.write(file, bytes);
    JobArtifact artifact = JobArtifact.of(file);
    served.put(artifact.sha256(), bytes);
    return artifact;
  }

  private static ArtifactSource servingAll(Map<String, byte[]> served) {
    return (sha256, offset, maxBytes) -> {
      byte[] bytes = served.get(sha256);
      int end = (int) Math.min(bytes.length, offset + maxBytes);
      return Arrays.copyOfRange(bytes, (int) offset, end);
    };
  }

  @Test
  public void aboveItsBoundTheCacheEvictsTheLeastRecentlyUsedJarThatNoJobUses() throws Exception {
    Map<String, byte[]> served = new HashMap<>();
    JobArtifact a = artifactOf("a.jar", 100, (byte) 1, served);
    JobArtifact b = artifactOf("b.jar", 100, (byte) 2, served);
    JobArtifact c = artifactOf("c.jar", 100, (byte) 3, served);
    AtomicLong now = new AtomicLong(1_000_000);
    long step = ArtifactCache.IN_USE_GRACE.toMillis() + 1;
    Path directory = folder.newFolder("cache").toPath();
    ArtifactCache cache = new ArtifactCache(directory, servingAll(served), 250, now::get);

    Path fileA = cache.acquire(a);
    cache.release(a);
    now.addAndGet(step);
    Path fileB = cache.acquire(b);
    cache.release(b);
    now.addAndGet(step);
    // Used again: a is now more recent than b.
    cache.acquire(a);
    cache.release(a);
    now.addAndGet(step);
    Path fileC = cache.acquire(c);

    assertFalse("b was the least recently used", Files.exists(fileB));
    assertTrue(Files.exists(fileA));
    assertTrue(Files.exists(fileC));
  }

  @Test
  public void aJarARunningJobUsesIsNeverEvictedEvenAboveTheBound() throws Exception {
    Map<String, byte[]> served = new HashMap<>();
    JobArtifact a = artifactOf("a.jar", 100, (byte) 1, served);
    JobArtifact b = artifactOf("b.jar", 100, (byte) 2, served);
    JobArtifact c = artifactOf("c.jar", 100, (byte) 3, served);
    AtomicLong now = new AtomicLong(1_000_000);
    long step = ArtifactCache.IN_USE_GRACE.toMillis() + 1;
    ArtifactCache cache =
        new ArtifactCache(folder.newFolder("cache").toPath(), servingAll(served), 150, now::get);

    // a is in use by a running job throughout; it is the least recently used.
    Path fileA = cache.acquire(a);
    now.addAndGet(step);
    Path fileB = cache.acquire(b);
    now.addAndGet(step);
    Path fileC = cache.acquire(c);
    // Above the bound with all three in use: nothing goes.
    assertTrue(Files.exists(fileA) && Files.exists(fileB) && Files.exists(fileC));

    cache.release(b);
    now.addAndGet(step);
    cache.evict();
    assertFalse("b is no longer used", Files.exists(fileB));
    assertTrue("a still runs", Files.exists(fileA));
    assertTrue("c still runs", Files.exists(fileC));

    // Once released, a goes too, at the next eviction: the cache is at its bound again.
    cache.release(a);
    cache.evict();
    assertFalse(Files.exists(fileA));
    assertTrue(Files.exists(fileC));
  }
}
