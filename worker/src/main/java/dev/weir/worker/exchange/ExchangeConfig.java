package dev.weir.worker.exchange;

import java.time.Duration;

/** Tuning of a {@link GrpcDataExchange}. Immutable; change a value with a {@code with…} copy. */
public final class ExchangeConfig {
  private final int creditsPerChannel;
  private final int maxFrameBytes;
  private final int eventLoopThreads;
  private final Duration shutdownTimeout;

  private ExchangeConfig(
      int creditsPerChannel, int maxFrameBytes, int eventLoopThreads, Duration shutdownTimeout) {
    if (creditsPerChannel < 1) {
      throw new IllegalArgumentException("creditsPerChannel must be >= 1: " + creditsPerChannel);
    }
    if (maxFrameBytes < 64) {
      throw new IllegalArgumentException("maxFrameBytes must be >= 64: " + maxFrameBytes);
    }
    if (eventLoopThreads < 1) {
      throw new IllegalArgumentException("eventLoopThreads must be >= 1: " + eventLoopThreads);
    }
    this.creditsPerChannel = creditsPerChannel;
    this.maxFrameBytes = maxFrameBytes;
    this.eventLoopThreads = eventLoopThreads;
    this.shutdownTimeout = shutdownTimeout;
  }

  /** 8 credits per channel, 64 MiB frames, one event-loop thread per core, 10 s to shut down. */
  public static ExchangeConfig defaults() {
    return new ExchangeConfig(
        8, 64 << 20, Math.max(1, Runtime.getRuntime().availableProcessors()), Duration.ofSeconds(10));
  }

  /** Events a consumer buffers per channel at most; a producer may have this many in flight. */
  public int creditsPerChannel() {
    return creditsPerChannel;
  }

  /** Largest accepted gRPC message: bounds one data batch's payload. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** Netty event-loop threads, shared by the server and the outgoing channels. */
  public int eventLoopThreads() {
    return eventLoopThreads;
  }

  /** How long {@code close()} waits for the server and channels to terminate. */
  public Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  public ExchangeConfig withCreditsPerChannel(int credits) {
    return new ExchangeConfig(credits, maxFrameBytes, eventLoopThreads, shutdownTimeout);
  }

  public ExchangeConfig withMaxFrameBytes(int bytes) {
    return new ExchangeConfig(creditsPerChannel, bytes, eventLoopThreads, shutdownTimeout);
  }

  public ExchangeConfig withEventLoopThreads(int threads) {
    return new ExchangeConfig(creditsPerChannel, maxFrameBytes, threads, shutdownTimeout);
  }

  public ExchangeConfig withShutdownTimeout(Duration timeout) {
    return new ExchangeConfig(creditsPerChannel, maxFrameBytes, eventLoopThreads, timeout);
  }

  @Override
  public String toString() {
    return "ExchangeConfig[credits=" + creditsPerChannel + ", maxFrameBytes=" + maxFrameBytes
        + ", eventLoopThreads=" + eventLoopThreads + ", shutdownTimeout=" + shutdownTimeout + "]";
  }
}
