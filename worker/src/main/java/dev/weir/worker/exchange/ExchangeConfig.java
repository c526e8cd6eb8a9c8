package dev.weir.worker.exchange;

import java.time.Duration;

/** Tuning of a {@link GrpcDataExchange}. Immutable; change a value with a {@code with…} copy. */
public final class ExchangeConfig {
  private final int creditsPerChannel;
  private final int creditReturnBatch;
  private final int maxFrameBytes;
  private final int eventLoopThreads;
  private final Duration shutdownTimeout;
  private final boolean localHandOver;

  private ExchangeConfig(int creditsPerChannel, int creditReturnBatch, int maxFrameBytes,
      int eventLoopThreads, Duration shutdownTimeout) {
    this(creditsPerChannel, creditReturnBatch, maxFrameBytes, eventLoopThreads, shutdownTimeout,
        false);
  }

  private ExchangeConfig(int creditsPerChannel, int creditReturnBatch, int maxFrameBytes,
      int eventLoopThreads, Duration shutdownTimeout, boolean localHandOver) {
    if (creditsPerChannel < 1) {
      throw new IllegalArgumentException("creditsPerChannel must be >= 1: " + creditsPerChannel);
    }
    // Above the channel's credit the producer could stall with all its credit unreturned.
    if (creditReturnBatch < 1 || creditReturnBatch > creditsPerChannel) {
      throw new IllegalArgumentException("creditReturnBatch must be in [1, creditsPerChannel="
          + creditsPerChannel + "]: " + creditReturnBatch);
    }
    if (maxFrameBytes < 64) {
      throw new IllegalArgumentException("maxFrameBytes must be >= 64: " + maxFrameBytes);
    }
    if (eventLoopThreads < 1) {
      throw new IllegalArgumentException("eventLoopThreads must be >= 1: " + eventLoopThreads);
    }
    this.creditsPerChannel = creditsPerChannel;
    this.creditReturnBatch = creditReturnBatch;
    this.maxFrameBytes = maxFrameBytes;
    this.eventLoopThreads = eventLoopThreads;
    this.shutdownTimeout = shutdownTimeout;
    this.localHandOver = localHandOver;
  }

  /**
   * 8 credits per channel returned one by one, frames up to gRPC's largest message, one event-loop
   * thread per core, 10 s to shut down, and a channel between two subtasks of one worker handed
   * over in memory ({@link #localHandOver()}). A batch is cut by its byte size, but one element
   * always goes whole into a frame, so the frame limit is the largest element a job can exchange
   * (a 100 MiB key of Beam's LargeKeys tests broke the 64 MiB limit this had).
   */
  public static ExchangeConfig defaults() {
    return new ExchangeConfig(8, 1, Integer.MAX_VALUE,
        Math.max(1, Runtime.getRuntime().availableProcessors()), Duration.ofSeconds(10), true);
  }

  /** Events a consumer buffers per channel at most; a producer may have this many in flight. */
  public int creditsPerChannel() {
    return creditsPerChannel;
  }

  /**
   * How many taken events the consumer collects before it sends their credit back in one frame.
   * 1 returns each credit at once; 2 halves the credit traffic and wake-ups, which measured
   * noticeably faster on loopback with 32 KiB batches.
   */
  public int creditReturnBatch() {
    return creditReturnBatch;
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

  /** Also lowers {@link #creditReturnBatch()} to {@code credits} if it was larger. */
  public ExchangeConfig withCreditsPerChannel(int credits) {
    return new ExchangeConfig(credits, Math.min(creditReturnBatch, Math.max(1, credits)),
        maxFrameBytes, eventLoopThreads, shutdownTimeout, localHandOver);
  }

  public ExchangeConfig withCreditReturnBatch(int batch) {
    return new ExchangeConfig(creditsPerChannel, batch, maxFrameBytes, eventLoopThreads,
        shutdownTimeout, localHandOver);
  }

  public ExchangeConfig withMaxFrameBytes(int bytes) {
    return new ExchangeConfig(creditsPerChannel, creditReturnBatch, bytes, eventLoopThreads,
        shutdownTimeout, localHandOver);
  }

  public ExchangeConfig withEventLoopThreads(int threads) {
    return new ExchangeConfig(creditsPerChannel, creditReturnBatch, maxFrameBytes, threads,
        shutdownTimeout, localHandOver);
  }

  public ExchangeConfig withShutdownTimeout(Duration timeout) {
    return new ExchangeConfig(creditsPerChannel, creditReturnBatch, maxFrameBytes,
        eventLoopThreads, timeout, localHandOver);
  }

  /**
   * Whether a channel whose consumer is on this endpoint (another subtask of the same worker) hands
   * its events to the consumer's gate in memory instead of over gRPC on loopback. Off, every
   * channel goes over gRPC. On by default: it saves the framing and the event-loop hops, 5–18 % of
   * the CPU of Nexmark batch runs on the default one-worker embedded cluster (BENCHMARKS.md,
   * "Nexmark, current figures", which also has why it was once off).
   */
  public boolean localHandOver() {
    return localHandOver;
  }

  public ExchangeConfig withLocalHandOver(boolean local) {
    return new ExchangeConfig(creditsPerChannel, creditReturnBatch, maxFrameBytes,
        eventLoopThreads, shutdownTimeout, local);
  }

  @Override
  public String toString() {
    return "ExchangeConfig[credits=" + creditsPerChannel + ", creditReturnBatch="
        + creditReturnBatch + ", maxFrameBytes=" + maxFrameBytes
        + ", eventLoopThreads=" + eventLoopThreads + ", shutdownTimeout=" + shutdownTimeout
        + ", localHandOver=" + localHandOver + "]";
  }
}
