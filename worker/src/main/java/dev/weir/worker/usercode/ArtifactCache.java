package dev.weir.worker.usercode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;

/**
 * A worker's cache of staged artifacts on disk: one file per artifact, named by its SHA-256. A
 * file is written under a temporary name, checked against its SHA-256 and size, and only then
 * moved to its name, so a file under an artifact's name is always complete and correct (several
 * processes may share the directory).
 */
public final class ArtifactCache {
  private static final int CHUNK_BYTES = 4 << 20;

  private final Path directory;
  private final ArtifactSource source;

  public ArtifactCache(Path directory, ArtifactSource source) {
    this.directory = directory;
    this.source = source;
  }

  /** The cached file of {@code artifact}, fetched from the source first if it is not cached. */
  public Path get(JobArtifact artifact) throws IOException {
    Path file = directory.resolve(artifact.sha256() + ".jar");
    if (Files.isRegularFile(file) && Files.size(file) == artifact.size()) {
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
      return file;
    } finally {
      Files.deleteIfExists(partial);
    }
  }
}
