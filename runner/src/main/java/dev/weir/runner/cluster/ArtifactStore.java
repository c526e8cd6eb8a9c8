package dev.weir.runner.cluster;

import dev.weir.worker.usercode.JobArtifact;
import io.grpc.Status;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * The coordinator's store of the artifacts (jars) clients staged, one file per artifact named by
 * its SHA-256. An upload arrives in chunks into a file of its own; its last chunk has the file
 * checked against the SHA-256 and size the client declared, and only a file that matches becomes
 * the artifact (so a job never starts with a damaged or half-uploaded jar). Workers read stored
 * artifacts in chunks.
 *
 * <p>Stored artifacts do not outlive their jobs: {@link #removeUnreferenced} deletes those that no
 * job the coordinator still knows names, once a job is forgotten. A client stages before it
 * submits, so an artifact a client asked about or uploaded within the last {@link #STAGING_GRACE}
 * is kept too: the job naming it may not be submitted yet. Time is read from an injected clock.
 */
final class ArtifactStore {
  /** The most one chunk read returns, whatever a worker asks. */
  static final int MAX_CHUNK_BYTES = 4 << 20;

  /** How long after a client staged an artifact it is kept for the job it is staging. */
  static final Duration STAGING_GRACE = Duration.ofMinutes(10);

  private final Path directory;
  private final LongSupplier nowMillis;

  // When a client last asked about or uploaded each artifact, by SHA-256; guarded by this.
  private final Map<String, Long> lastStaged = new HashMap<>();

  ArtifactStore(Path directory) throws IOException {
    this(directory, System::currentTimeMillis);
  }

  ArtifactStore(Path directory, LongSupplier nowMillis) throws IOException {
    this.directory = Files.createDirectories(directory);
    this.nowMillis = nowMillis;
  }

  Path directory() {
    return directory;
  }

  /**
   * Those of {@code artifacts} that are not stored yet. All of them count as being staged now:
   * none is removed within the {@link #STAGING_GRACE}.
   */
  synchronized List<JobArtifact> missing(List<JobArtifact> artifacts) throws IOException {
    List<JobArtifact> missing = new ArrayList<>();
    for (JobArtifact artifact : artifacts) {
      lastStaged.put(artifact.sha256(), nowMillis.getAsLong());
      Path file = file(artifact.sha256());
      if (!Files.isRegularFile(file) || Files.size(file) != artifact.size()) {
        missing.add(artifact);
      }
    }
    return missing;
  }

  /**
   * Writes one chunk of upload {@code uploadId} of {@code artifact} at {@code offset}; with {@code
   * last}, checks the upload and stores it as the artifact.
   */
  void upload(String uploadId, JobArtifact artifact, long offset, byte[] data, boolean last)
      throws IOException {
    if (!uploadId.matches("[0-9A-Za-z-]{1,64}")) {
      throw Status.INVALID_ARGUMENT
          .withDescription("Malformed upload id '" + uploadId + "'")
          .asRuntimeException();
    }
    if (offset < 0 || offset + data.length > artifact.size()) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "A chunk at " + offset + " of " + data.length + " bytes lies outside " + artifact)
          .asRuntimeException();
    }
    synchronized (this) {
      lastStaged.put(artifact.sha256(), nowMillis.getAsLong());
    }
    Path partial = directory.resolve(artifact.sha256() + "." + uploadId + ".part");
    try (FileChannel out =
        FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(data);
      long at = offset;
      while (buffer.hasRemaining()) {
        at += out.write(buffer, at);
      }
    }
    if (!last) {
      return;
    }
    try {
      long size = Files.size(partial);
      String sha256 = JobArtifact.sha256Of(partial);
      if (size != artifact.size() || !sha256.equals(artifact.sha256())) {
        throw Status.DATA_LOSS
            .withDescription(
                "The upload of "
                    + artifact
                    + " arrived as "
                    + size
                    + " bytes with SHA-256 "
                    + sha256
                    + "; not stored")
            .asRuntimeException();
      }
      Path file = file(artifact.sha256());
      synchronized (this) {
        lastStaged.put(artifact.sha256(), nowMillis.getAsLong());
        try {
          Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
          Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  /** Up to {@code maxBytes} (at most {@link #MAX_CHUNK_BYTES}) of a stored artifact. */
  byte[] read(String sha256, long offset, int maxBytes) throws IOException {
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw Status.INVALID_ARGUMENT
          .withDescription("Not a lower-case hex SHA-256: '" + sha256 + "'")
          .asRuntimeException();
    }
    Path file = file(sha256);
    if (!Files.isRegularFile(file)) {
      throw Status.NOT_FOUND
          .withDescription("No artifact " + sha256 + " on this coordinator")
          .asRuntimeException();
    }
    try (SeekableByteChannel in = Files.newByteChannel(file)) {
      long size = in.size();
      if (offset < 0 || offset >= size) {
        return new byte[0];
      }
      int length = (int) Math.min(Math.min(Math.max(maxBytes, 1), MAX_CHUNK_BYTES), size - offset);
      ByteBuffer buffer = ByteBuffer.allocate(length);
      in.position(offset);
      while (buffer.hasRemaining() && in.read(buffer) > 0) {
        // Reads until the chunk is full.
      }
      return buffer.array();
    }
  }

  /**
   * Deletes every stored artifact whose SHA-256 is not in {@code referenced} (those of the jobs
   * still known) and that no client staged within the {@link #STAGING_GRACE}; returns their
   * SHA-256s. Files left by an earlier coordinator in the same directory count as staged never.
   */
  synchronized List<String> removeUnreferenced(Set<String> referenced) throws IOException {
    long now = nowMillis.getAsLong();
    lastStaged.values().removeIf(at -> now - at >= STAGING_GRACE.toMillis());
    List<String> removed = new ArrayList<>();
    List<Path> stored;
    try (Stream<Path> files = Files.list(directory)) {
      stored = files.filter(f -> f.getFileName().toString().endsWith(".jar")).toList();
    }
    for (Path file : stored) {
      String name = file.getFileName().toString();
      String sha256 = name.substring(0, name.length() - ".jar".length());
      if (!referenced.contains(sha256) && !lastStaged.containsKey(sha256)) {
        Files.deleteIfExists(file);
        removed.add(sha256);
      }
    }
    return removed;
  }

  long size(String sha256) throws IOException {
    return Files.size(file(sha256));
  }

  private Path file(String sha256) {
    return directory.resolve(sha256 + ".jar");
  }
}
