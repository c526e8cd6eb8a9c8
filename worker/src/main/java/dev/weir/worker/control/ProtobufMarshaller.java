package dev.weir.worker.control;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Carries one protobuf message per gRPC message: the checkpoint control calls, whose messages are
 * part of Weir's wire format and must read the same across versions (no Java serialization).
 */
final class ProtobufMarshaller<T extends Message> implements MethodDescriptor.Marshaller<T> {
  private final Parser<T> parser;

  @SuppressWarnings("unchecked")
  ProtobufMarshaller(T defaultInstance) {
    this.parser = (Parser<T>) defaultInstance.getParserForType();
  }

  @Override
  public InputStream stream(T value) {
    return new ByteArrayInputStream(value.toByteArray());
  }

  @Override
  public T parse(InputStream stream) {
    try {
      return parser.parseFrom(stream);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("Unreadable control message", e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read control message", e);
    }
  }
}
