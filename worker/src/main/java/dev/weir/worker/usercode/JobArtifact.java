package dev.weir.worker.usercode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A file a job's submitter staged (a jar of the job's classes), named by the SHA-256 of its bytes:
 * every store and cache keeps it under that name, so one file staged by many jobs is fetched once
 * and a damaged copy is told from a good one.
 *
 * @param sha256 lower-case hex SHA-256 of the file's bytes
 * @param name where it came from on the submitter's machine, for messages only
 */
public record JobArtifact(String sha256, long size, String name) {

  public JobArtifact {
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("Not a lower-case hex SHA-256: '" + sha256 + "'");
    }
    if (size < 0) {
      throw new IllegalArgumentException("Negative size " + size + " of artifact " + name);
    }
  }

  /** The artifact {@code file} is. */
  public static JobArtifact of(Path file) throws IOException {
    return new JobArtifact(sha256Of(file), Files.size(file), file.getFileName().toString());
  }

  /** Lower-case hex SHA-256 of the file's bytes. */
  public static String sha256Of(Path file) throws IOException {
    MessageDigest digest = newDigest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java platform has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return name + " (sha256 " + sha256.substring(0, 12) + "…, " + size + " bytes)";
  }
}
