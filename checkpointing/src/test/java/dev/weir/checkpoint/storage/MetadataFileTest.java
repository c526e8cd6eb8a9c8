package dev.weir.checkpoint.storage;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import com.google.protobuf.ByteString;
import dev.weir.checkpoint.proto.CheckpointKind;
import dev.weir.checkpoint.proto.CheckpointMetadata;
import dev.weir.checkpoint.proto.NamedBytes;
import dev.weir.checkpoint.proto.SubtaskState;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.Test;

/** The _metadata file's header: every way it can be damaged gives an error that says which. */
public class MetadataFileTest {
  private static final String WHERE = "file:/x/job/chk-3/_metadata";

  private static CheckpointMetadata metadata(int formatVersion) {
    return CheckpointMetadata.newBuilder()
        .setFormatVersion(formatVersion)
        .setJobId("job")
        .setCheckpointId(3)
        .setKind(CheckpointKind.CHECKPOINT)
        .setPlanFingerprint(ByteString.copyFromUtf8("plan"))
        .addSubtasks(
            SubtaskState.newBuilder()
                .setOperatorId("read")
                .setSubtaskIndex(0)
                .addEntries(
                    NamedBytes.newBuilder()
                        .setName("source-position")
                        .setValue(ByteString.copyFrom(new byte[] {1, 2, 3}))))
        .build();
  }

  private static String reason(byte[] bytes) {
    return assertThrows(CorruptCheckpointException.class, () -> MetadataFile.decode(bytes, WHERE))
        .getMessage();
  }

  @Test
  public void roundTripKeepsEveryField() throws Exception {
    CheckpointMetadata written = metadata(MetadataFile.FORMAT_VERSION);
    assertThat(MetadataFile.decode(MetadataFile.encode(written), WHERE), equalTo(written));
  }

  @Test
  public void flippedPayloadByteIsAChecksumMismatch() {
    byte[] bytes = MetadataFile.encode(metadata(1));
    bytes[bytes.length - 2] ^= 0x10;
    assertThat(reason(bytes), containsString(WHERE + ": metadata checksum mismatch"));
  }

  @Test
  public void truncatedFileSaysHowManyBytesAreMissing() {
    byte[] bytes = MetadataFile.encode(metadata(1));
    int payload = bytes.length - MetadataFile.HEADER_BYTES;
    String reason = reason(Arrays.copyOf(bytes, bytes.length - 5));
    assertThat(
        reason,
        containsString("truncated metadata: header says " + payload + " bytes, file has "
            + (payload - 5)));
    assertThat(reason(new byte[7]), containsString("shorter than the header"));
  }

  @Test
  public void otherFileIsABadMagic() {
    byte[] bytes = MetadataFile.encode(metadata(1));
    bytes[0] = 'X';
    assertThat(reason(bytes), containsString("bad magic"));
  }

  @Test
  public void newerHeaderVersionIsRefused() {
    byte[] bytes = MetadataFile.encode(metadata(1));
    ByteBuffer.wrap(bytes).putInt(8, 2);
    assertThat(reason(bytes), containsString("unsupported metadata header version 2"));
  }

  @Test
  public void newerFormatVersionIsRefused() {
    assertThat(
        reason(MetadataFile.encode(metadata(MetadataFile.FORMAT_VERSION + 1))),
        containsString("unsupported metadata format version " + (MetadataFile.FORMAT_VERSION + 1)));
  }
}
