package dev.weir.worker.exchange;

import java.util.Arrays;

/**
 * One event of an ordered channel: a batch of encoded elements, or a control event that travels
 * in-band with the data (watermark, processing time, checkpoint barrier, end of input). Control
 * events split a channel's stream into before and after.
 */
public abstract class ChannelEvent {
  private ChannelEvent() {}

  /** Encoded elements, concatenated; the receiver knows the coder of the edge. */
  public static final class DataBatch extends ChannelEvent {
    private final byte[] payload;
    private final int elementCount;

    public DataBatch(byte[] payload, int elementCount) {
      this.payload = payload;
      this.elementCount = elementCount;
    }

    public byte[] payload() {
      return payload;
    }

    public int elementCount() {
      return elementCount;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof DataBatch
          && ((DataBatch) o).elementCount == elementCount
          && Arrays.equals(((DataBatch) o).payload, payload);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(payload) * 31 + elementCount;
    }

    @Override
    public String toString() {
      return "DataBatch[" + elementCount + " elements, " + payload.length + " bytes]";
    }
  }

  /** The producer's output watermark, in epoch millis, as Beam's {@code Instant#getMillis()}. */
  public static final class Watermark extends ChannelEvent {
    private final long millis;

    public Watermark(long millis) {
      this.millis = millis;
    }

    public long millis() {
      return millis;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Watermark && ((Watermark) o).millis == millis;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(millis);
    }

    @Override
    public String toString() {
      return "Watermark[" + millis + "]";
    }
  }

  /**
   * The producer's processing time, in epoch millis, when the job runs on a test clock (TestStream):
   * processing time then moves in-band like a watermark instead of following the wall clock.
   */
  public static final class ProcessingTime extends ChannelEvent {
    private final long millis;

    public ProcessingTime(long millis) {
      this.millis = millis;
    }

    public long millis() {
      return millis;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ProcessingTime && ((ProcessingTime) o).millis == millis;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(millis) * 7;
    }

    @Override
    public String toString() {
      return "ProcessingTime[" + millis + "]";
    }
  }

  /**
   * Checkpoint barrier {@code checkpointId}: everything the producer sent before it is covered by
   * checkpoint {@code checkpointId}, nothing after it is.
   */
  public static final class CheckpointBarrier extends ChannelEvent {
    private final long checkpointId;

    public CheckpointBarrier(long checkpointId) {
      this.checkpointId = checkpointId;
    }

    public long checkpointId() {
      return checkpointId;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CheckpointBarrier && ((CheckpointBarrier) o).checkpointId == checkpointId;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(checkpointId) * 13;
    }

    @Override
    public String toString() {
      return "CheckpointBarrier[" + checkpointId + "]";
    }
  }

  /** The producer will send nothing more on this channel. Always the last event. */
  public static final class EndOfInput extends ChannelEvent {
    public static final EndOfInput INSTANCE = new EndOfInput();

    private EndOfInput() {}

    @Override
    public String toString() {
      return "EndOfInput";
    }
  }
}
