package dev.weir.checkpoint.storage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One subtask of one operator: the owner of a state snapshot, and the name of its files' folder.
 *
 * <p>Operator ids are Beam step names, of any length and with any characters, while path
 * components are limited (S3 keys to 1024 bytes, most file systems' names to 255). So the folder
 * keeps a readable prefix of the id and a hash of the whole of it.
 */
public record OperatorSubtask(String operatorId, int subtask) {
  private static final int NAME_PREFIX_LENGTH = 32;

  public OperatorSubtask {
    if (operatorId == null || operatorId.isEmpty()) {
      throw new IllegalArgumentException("operatorId is empty");
    }
    if (subtask < 0) {
      throw new IllegalArgumentException("subtask " + subtask + " of " + operatorId + " < 0");
    }
  }

  /** {@code <prefix>-<8 hex digits of SHA-256(id)>-<subtask>}, at most 32 + 1 + 16 + 1 + 10. */
  String directoryName() {
    String prefix = operatorId.substring(0, Math.min(operatorId.length(), NAME_PREFIX_LENGTH));
    String safe = prefix.replaceAll("[^A-Za-z0-9._-]", "_");
    return safe + "-" + hash(operatorId) + "-" + subtask;
  }

  private static String hash(String s) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java has SHA-256", e);
    }
  }
}
