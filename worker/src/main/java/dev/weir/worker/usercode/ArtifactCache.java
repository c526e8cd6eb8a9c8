package dev.weir.worker.usercode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's cache of staged artifacts on disk: one file per artifact, named by its SHA-256. A
 * file is written under a temporary name, checked against its SHA-256 and size, and only then
 * moved to its name, so a file under an artifact's name is always complete and correct (several
 * processes may share the directory).
 *
 * <p>The directory is bounded: once its jars take more than {@code maxBytes}, the least recently
 * used go (LRU by the file's modification time, which every use sets, so workers sharing the
 * directory share one order), but never one that a running job of this worker has {@linkplain
 * #acquire acquired}, nor one any process used within the last {@link #IN_USE_GRACE}: another
 * worker sharing the directory may be about to open it. A job's class loader opens its jars when
 * it is made ({@link JobClassLoaders}), and an open file stays readable once deleted, so an
 * eviction never takes a jar from a job that runs. Jars in use may keep the directory above the
 * bound until they are released.
 */
public final class ArtifactCache {
  private static final Logger LOG = LoggerFactory.getLogger(ArtifactCache.class);
  private static final int CHUNK_BYTES = 4 << 20;

  /** Default bound of a worker's cache: 1 GiB. */
  public static final long DEFAULT_MAX_BYTES = 1L << 30;

  /** A jar used this recently is kept whatever the bound says. */
  static final Duration IN_USE_GRACE = Duration.ofMinutes(1);

  private final Path directory;
  private final ArtifactSource source;
  private final long maxBytes;
  private final LongSupplier nowMillis;

  // The artifacts running jobs of this worker use, by SHA-256, with their number of users.
  private final Map<String, Integer> inUse = new HashMap<>();

  public ArtifactCache(Path directory, ArtifactSource source) {
    this(directory, source, DEFAULT_MAX_BYTES, System::currentTimeMillis);
  }

  public ArtifactCache(
      Path directory, ArtifactSource source, long maxBytes, LongSupplier nowMillis) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("A cache bound cannot be negative: " + maxBytes);
    }
    this.directory = directory;
    this.source = source;
    this.maxBytes = maxBytes;
    this.nowMillis = nowMillis;
  }

  /**
   * The cached file of {@code artifact} for a running job, fetched first if it is not cached;
   * kept until {@link #release}d as often as acquired. Evicts what the bound asks for after.
   */
  public Path acquire(JobArtifact artifact) throws IOException {
    synchronized (this) {
      inUse.merge(artifact.sha256(), 1, Integer::sum);
    }
    try {
      Path file = get(artifact);
      evict();
      return file;
    } catch (IOException | RuntimeException e) {
      release(artifact);
      throw e;
    }
  }

  /** A job that {@linkplain #acquire acquired} {@code artifact} no longer needs it. */
  public synchronized void release(JobArtifact artifact) {
    inUse.computeIfPresent(artifact.sha256(), (sha, users) -> users > 1 ? users - 1 : null);
  }

  /**
   * Deletes the least recently used jars that are not in use until the directory's jars take at
   * most the bound, or only jars in use (or used within the grace) are left.
   */
  synchronized void evict() throws IOException {
    record Cached(Path file, String sha256, long size, long usedMillis) {}
    List<Cached> cached = new ArrayList<>();
    long total = 0;
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".jar")) {
          continue;
        }
        try {
          long size = Files.size(file);
          cached.add(
              new Cached(
                  file,
                  name.substring(0, name.length() - ".jar".length()),
                  size,
                  Files.getLastModifiedTime(file).toMillis()));
          total += size;
        } catch (java.nio.file.NoSuchFileException e) {
          // Evicted by another worker sharing the directory.
        }
      }
    }
    if (total <= maxBytes) {
      return;
    }
    cached.sort(Comparator.comparingLong(Cached::usedMillis));
    long now = nowMillis.getAsLong();
    for (Cached jar : cached) {
      if (total <= maxBytes) {
        break;
      }
      if (inUse.containsKey(jar.sha256()) || now - jar.usedMillis() < IN_USE_GRACE.toMillis()) {
        continue;
      }
      Files.deleteIfExists(jar.file());
      total -= jar.size();
      LOG.info(
          "Evicted artifact {} ({} bytes) from the cache {}", jar.sha256(), jar.size(), directory);
    }
  }

  /**
   * The cached file of {@code artifact}, fetched from the source first if it is not cached; marks
   * it used now.
   */
  public Path get(JobArtifact artifact) throws IOException {
    Path file = directory.resolve(artifact.sha256() + ".jar");
    if (Files.isRegularFile(file) && Files.size(file) == artifact.size()) {
      touch(file);
      return file;
    }
    Files.createDirectories(directory);
    Path partial = directory.resolve(artifact.sha256() + "." + UUID.randomUUID() + ".part");
    try {
      MessageDigest digest = JobArtifact.newDigest();
      long offset = 0;
      try (OutputStream out = Files.newOutputStream(partial)) {
        while (offset < artifact.size()) {
          int want = (int) Math.min(CHUNK_BYTES, artifact.size() - offset);
          byte[] chunk = source.read(artifact.sha256(), offset, want);
          if (chunk.length == 0) {
            throw new IOException(
                "The artifact " + artifact + " ended at " + offset + " bytes at its source");
          }
          out.write(chunk);
          digest.update(chunk);
          offset += chunk.length;
        }
      }
      String got = HexFormat.of().formatHex(digest.digest());
      if (offset != artifact.size() || !got.equals(artifact.sha256())) {
        throw new IOException(
            "The artifact "
                + artifact
                + " arrived damaged: "
                + offset
                + " bytes with SHA-256 "
                + got);
      }
      try {
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
        // Another fetch of the same bytes got there first; either copy is the same.
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
      }
      touch(file);
      return file;
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  /** Sets the file's time of last use, the order of eviction. */
  private void touch(Path file) throws IOException {
    try {
      Files.setLastModifiedTime(file, FileTime.fromMillis(nowMillis.getAsLong()));
    } catch (java.nio.file.NoSuchFileException e) {
      // Evicted meanwhile by another worker sharing the directory; the caller finds out.
    }
  }
}
