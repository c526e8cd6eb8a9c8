package dev.weir.worker.exchange;

import io.grpc.MethodDescriptor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The wire format of a channel: one bidirectional gRPC stream per channel, producer to consumer.
 *
 * <p>The producer sends an OPEN frame naming the channel (job, attempt, edge, producer, consumer),
 * then one frame per event. The attempt is part of the name, so a producer of a restarted job never
 * feeds a gate of an earlier attempt, nor the other way round. A data batch is two gRPC messages: a
 * BATCH frame with the element count, then the payload array untouched, so the payload is never
 * copied to prepend a header. Control events (WATERMARK, PROCESSING_TIME, BARRIER, END) are one
 * frame each and travel in the same stream, so they keep their place among the batches. The
 * consumer answers with CREDIT frames; each credit allows one more event of any kind.
 */
final class ExchangeProtocol {
  static final String SERVICE = "weir.exchange.DataExchange";

  static final MethodDescriptor<byte[], byte[]> CHANNEL_METHOD =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Channel"))
          .setRequestMarshaller(ByteArrayMarshaller.INSTANCE)
          .setResponseMarshaller(ByteArrayMarshaller.INSTANCE)
          .build();

  static final byte OPEN = 1;
  static final byte BATCH = 2;
  static final byte WATERMARK = 3;
  static final byte END = 4;
  static final byte CREDIT = 5;
  static final byte PROCESSING_TIME = 6;
  static final byte BARRIER = 7;

  private ExchangeProtocol() {}

  static byte[] open(ChannelId id) {
    byte[] job = id.jobId().getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + 4 + job.length + 16)
        .put(OPEN)
        .putInt(job.length)
        .put(job)
        .putInt(id.attempt())
        .putInt(id.edgeId())
        .putInt(id.producer())
        .putInt(id.consumer())
        .array();
  }

  static ChannelId parseOpen(byte[] frame) {
    ByteBuffer in = ByteBuffer.wrap(frame);
    expectTag(in, OPEN);
    byte[] job = new byte[in.getInt()];
    in.get(job);
    String jobId = new String(job, StandardCharsets.UTF_8);
    int attempt = in.getInt();
    int edgeId = in.getInt();
    int producer = in.getInt();
    int consumer = in.getInt();
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(in.remaining() + " unexpected bytes after OPEN");
    }
    return new ChannelId(jobId, attempt, edgeId, producer, consumer);
  }

  static byte[] batchHeader(int elementCount) {
    return ByteBuffer.allocate(5).put(BATCH).putInt(elementCount).array();
  }

  static byte[] watermark(long millis) {
    return ByteBuffer.allocate(9).put(WATERMARK).putLong(millis).array();
  }

  static byte[] processingTime(long millis) {
    return ByteBuffer.allocate(9).put(PROCESSING_TIME).putLong(millis).array();
  }

  static byte[] barrier(long checkpointId) {
    return ByteBuffer.allocate(9).put(BARRIER).putLong(checkpointId).array();
  }

  static byte[] end() {
    return new byte[] {END};
  }

  static byte[] credit(int credits) {
    return ByteBuffer.allocate(5).put(CREDIT).putInt(credits).array();
  }

  /** The tag of an event or credit frame; throws on an empty frame. */
  static byte tag(byte[] frame) {
    if (frame.length == 0) {
      throw new IllegalArgumentException("empty frame");
    }
    return frame[0];
  }

  /** The int after the tag: element count of BATCH, credits of CREDIT. */
  static int intBody(byte[] frame) {
    return ByteBuffer.wrap(frame, 1, 4).getInt();
  }

  static long longBody(byte[] frame) {
    return ByteBuffer.wrap(frame, 1, 8).getLong();
  }

  private static void expectTag(ByteBuffer in, byte tag) {
    byte actual = in.get();
    if (actual != tag) {
      throw new IllegalArgumentException("expected frame " + tag + " but got " + actual);
    }
  }
}
