package dev.weir.checkpoint.storage;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.weir.checkpoint.proto.CheckpointMetadata;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The bytes of a {@code _metadata} file: a header, then the {@link CheckpointMetadata} protobuf.
 *
 * <p>Header (big-endian): 8 bytes magic {@code WEIRCKPT}, int32 header version, int32 length of
 * the protobuf, int32 CRC32C of the protobuf. The checksum catches a torn or bit-flipped file that
 * protobuf would otherwise parse into something plausible; the length catches a truncated one.
 */
final class MetadataFile {
  private static final byte[] MAGIC = "WEIRCKPT".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER_VERSION = 1;
  static final int HEADER_BYTES = MAGIC.length + 4 + 4 + 4;

  /** {@code CheckpointMetadata.format_version} that this code writes and the newest it reads. */
  static final int FORMAT_VERSION = 1;

  /** Larger metadata is refused; a length beyond it is corruption, not a real checkpoint. */
  static final int MAX_PAYLOAD_BYTES = 1 << 30;

  private MetadataFile() {}

  static byte[] encode(CheckpointMetadata metadata) {
    byte[] payload = metadata.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(payload);
    return ByteBuffer.allocate(HEADER_BYTES + payload.length)
        .put(MAGIC)
        .putInt(HEADER_VERSION)
        .putInt(payload.length)
        .putInt((int) crc.getValue())
        .put(payload)
        .array();
  }

  /**
   * Parses and checks a metadata file's bytes.
   *
   * @param location named in every error, so a log line says which file is bad
   */
  static CheckpointMetadata decode(byte[] bytes, String location)
      throws CorruptCheckpointException {
    if (bytes.length < HEADER_BYTES) {
      throw new CorruptCheckpointException(
          location,
          "truncated metadata: " + bytes.length + " bytes, shorter than the header");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    byte[] magic = new byte[MAGIC.length];
    in.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new CorruptCheckpointException(
          location, "bad magic: not a Weir checkpoint metadata file");
    }
    int headerVersion = in.getInt();
    if (headerVersion != HEADER_VERSION) {
      throw new CorruptCheckpointException(
          location,
          "unsupported metadata header version " + headerVersion + " (this Weir reads "
              + HEADER_VERSION + ")");
    }
    int length = in.getInt();
    int storedCrc = in.getInt();
    if (length < 0 || length > MAX_PAYLOAD_BYTES) {
      throw new CorruptCheckpointException(location, "bad metadata length " + length);
    }
    if (in.remaining() != length) {
      throw new CorruptCheckpointException(
          location,
          (in.remaining() < length ? "truncated metadata: " : "trailing bytes after metadata: ")
              + "header says " + length + " bytes, file has " + in.remaining());
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, HEADER_BYTES, length);
    if ((int) crc.getValue() != storedCrc) {
      throw new CorruptCheckpointException(
          location,
          "metadata checksum mismatch: stored " + CopiedBytes.hex(storedCrc) + ", computed "
              + CopiedBytes.hex((int) crc.getValue()));
    }
    CheckpointMetadata metadata;
    try {
      metadata = CheckpointMetadata.parseFrom(ByteBuffer.wrap(bytes, HEADER_BYTES, length));
    } catch (InvalidProtocolBufferException e) {
      throw new CorruptCheckpointException(location, "unreadable metadata protobuf", e);
    }
    if (metadata.getFormatVersion() < 1 || metadata.getFormatVersion() > FORMAT_VERSION) {
      throw new CorruptCheckpointException(
          location,
          "unsupported metadata format version " + metadata.getFormatVersion()
              + " (this Weir reads 1 to " + FORMAT_VERSION + ")");
    }
    return metadata;
  }
}
