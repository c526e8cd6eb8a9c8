package dev.weir.worker.exchange;

import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * An {@link InputGate} fed by {@link InboundStream}s. Events of all channels share one FIFO in
 * arrival order, which keeps each channel's order and lets {@link #poll} wait on a single
 * condition. The FIFO holds at most the credit granted per channel times the channel count.
 *
 * <p>A broken channel is queued like an event, so the events it delivered before breaking still
 * come out first; an abort or close overtakes everything.
 */
final class GrpcInputGate implements InputGate {
  private final List<ChannelId> channels;
  private final GrpcDataExchange exchange;
  private final InboundStream[] streams;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final ArrayDeque<Arrival> arrivals = new ArrayDeque<>();
  private ExchangeException broken;

  GrpcInputGate(List<ChannelId> channels, GrpcDataExchange exchange) {
    this.channels = List.copyOf(channels);
    this.exchange = exchange;
    this.streams = new InboundStream[channels.size()];
  }

  @Override
  public List<ChannelId> channels() {
    return channels;
  }

  @Override
  public @Nullable GateEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    Arrival next;
    InboundStream source;
    lock.lockInterruptibly();
    try {
      while (true) {
        if (broken != null) {
          throw new ExchangeException(broken.getMessage(), broken);
        }
        next = arrivals.poll();
        if (next != null) {
          break;
        }
        if (nanos <= 0) {
          return null;
        }
        nanos = arrived.awaitNanos(nanos);
      }
      if (next.failure != null) {
        broken = next.failure;
        throw new ExchangeException(broken.getMessage(), broken);
      }
      source = streams[next.index];
    } finally {
      lock.unlock();
    }
    // Outside the gate lock: the stream takes its own lock, and it calls into the gate with it.
    if (source != null && !(next.event instanceof ChannelEvent.EndOfInput)) {
      source.returnCredit();
    }
    return new GateEvent(next.index, next.event);
  }

  @Override
  public void close() {
    exchange.gateClosed(this);
    breakAll(new ExchangeException("gate of " + channels + " closed"),
        Status.CANCELLED.withDescription("consumer gate closed"));
  }

  /** Records {@code stream} as channel {@code index}; the caller then attaches the stream. */
  void bind(int index, InboundStream stream) {
    lock.lock();
    try {
      streams[index] = stream;
    } finally {
      lock.unlock();
    }
  }

  void offer(int index, ChannelEvent event) {
    enqueue(new Arrival(index, event, null));
  }

  void channelBroke(int index, ExchangeException failure) {
    enqueue(new Arrival(index, null, failure));
  }

  /** Fails blocked and future polls at once and ends every channel's stream with {@code status}. */
  void breakAll(ExchangeException failure, Status status) {
    List<InboundStream> toClose = new ArrayList<>();
    lock.lock();
    try {
      if (broken == null) {
        broken = failure;
      }
      arrivals.clear();
      for (InboundStream s : streams) {
        if (s != null) {
          toClose.add(s);
        }
      }
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
    for (InboundStream s : toClose) {
      s.shutdown(status);
    }
  }

  private void enqueue(Arrival arrival) {
    lock.lock();
    try {
      if (broken == null) {
        arrivals.add(arrival);
        arrived.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  private static final class Arrival {
    final int index;
    final ChannelEvent event;
    final ExchangeException failure;

    Arrival(int index, ChannelEvent event, ExchangeException failure) {
      this.index = index;
      this.event = event;
      this.failure = failure;
    }
  }
}
