package dev.weir.worker.exchange;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The receiving side of every channel into one consumer subtask. Each channel's events come out
 * in the order they were sent; events of different channels interleave. A channel's buffer holds
 * at most the credit the gate granted, so the gate's memory is bounded.
 */
public interface InputGate extends AutoCloseable {

  /** The channels of this gate, in index order: {@link GateEvent#channelIndex()} indexes this. */
  List<ChannelId> channels();

  /**
   * The next event from any channel, waiting at most {@code timeout}; null if none arrived in
   * time. Taking an event returns its credit to the producer.
   *
   * @throws ExchangeException if a channel broke before its {@link ChannelEvent.EndOfInput}
   */
  @Nullable
  GateEvent poll(long timeout, TimeUnit unit) throws InterruptedException;

  /**
   * Barrier alignment: channel {@code channelIndex} delivered a checkpoint barrier, so {@link #poll}
   * yields none of its later events, and its producer gets no more credit, until {@link
   * #resumeAll}. Its producer can send at most the credit it already holds; nothing is buffered
   * beyond that.
   */
  default void block(int channelIndex) {
    throw new UnsupportedOperationException("this gate cannot hold a channel back");
  }

  /** Ends barrier alignment: every blocked channel's events come out again, in their order. */
  default void resumeAll() {
    throw new UnsupportedOperationException("this gate cannot hold a channel back");
  }

  @Override
  void close();

  /** An event with the index of the channel it came from. */
  final class GateEvent {
    private final int channelIndex;
    private final ChannelEvent event;

    public GateEvent(int channelIndex, ChannelEvent event) {
      this.channelIndex = channelIndex;
      this.event = event;
    }

    public int channelIndex() {
      return channelIndex;
    }

    public ChannelEvent event() {
      return event;
    }
  }
}
