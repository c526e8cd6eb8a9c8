package dev.weir.worker.exchange;

import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * An {@link InputGate} fed by {@link InboundStream}s. Events of all channels share one FIFO in
 * arrival order, which keeps each channel's order and lets {@link #poll} wait on a single
 * condition. The FIFO holds at most the credit granted per channel times the channel count.
 *
 * <p>A {@link #block blocked} channel's events wait in a queue of their own instead. Its credit
 * comes back only when {@link #poll} hands an event out, so while it is blocked its producer can
 * send no more than the credit it holds and that queue stays within the channel's credit. {@link
 * #resumeAll} merges the held events back by arrival number, so they come out where they would
 * have come out unblocked: before the channel's later arrivals, and among the other channels'
 * events in the order they all arrived.
 *
 * <p>A broken channel is queued like an event, so the events it delivered before breaking still
 * come out first; a blocked channel's failure goes to the shared FIFO at once, ahead of its held
 * events, because the gate fails anyway and alignment must not hide it. An abort or close
 * overtakes everything.
 */
final class GrpcInputGate implements InputGate {
  private final List<ChannelId> channels;
  private final GrpcDataExchange exchange;
  private final InboundChannel[] streams;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final ArrayDeque<Arrival> arrivals = new ArrayDeque<>();
  private final boolean[] blocked;
  private final List<ArrayDeque<Arrival>> held;
  private boolean anyBlocked;
  private long arrivalCount;
  private ExchangeException broken;

  GrpcInputGate(List<ChannelId> channels, GrpcDataExchange exchange) {
    this.channels = List.copyOf(channels);
    this.exchange = exchange;
    this.streams = new InboundChannel[channels.size()];
    this.blocked = new boolean[channels.size()];
    this.held = new ArrayList<>(channels.size());
    for (int i = 0; i < channels.size(); i++) {
      held.add(new ArrayDeque<>());
    }
  }

  @Override
  public List<ChannelId> channels() {
    return channels;
  }

  @Override
  public @Nullable GateEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    Arrival next;
    InboundChannel source;
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
  public void block(int channelIndex) {
    Objects.checkIndex(channelIndex, channels.size());
    lock.lock();
    try {
      if (blocked[channelIndex]) {
        return;
      }
      blocked[channelIndex] = true;
      anyBlocked = true;
      // Events of the channel that arrived after its barrier but were not taken yet are held too.
      ArrayDeque<Arrival> queue = held.get(channelIndex);
      arrivals.removeIf(a -> {
        boolean hold = a.index == channelIndex && a.failure == null;
        if (hold) {
          queue.add(a);
        }
        return hold;
      });
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void resumeAll() {
    lock.lock();
    try {
      if (!anyBlocked) {
        return;
      }
      List<Arrival> merged = new ArrayList<>(arrivals);
      for (int i = 0; i < blocked.length; i++) {
        blocked[i] = false;
        merged.addAll(held.get(i));
        held.get(i).clear();
      }
      anyBlocked = false;
      merged.sort(Comparator.comparingLong(a -> a.sequence));
      arrivals.clear();
      arrivals.addAll(merged);
      if (!arrivals.isEmpty()) {
        arrived.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    exchange.gateClosed(this);
    breakAll(new ExchangeException("gate of " + channels + " closed"),
        Status.CANCELLED.withDescription("consumer gate closed"));
  }

  /** Records {@code stream} as channel {@code index}; the caller then attaches the stream. */
  void bind(int index, InboundChannel stream) {
    lock.lock();
    try {
      streams[index] = stream;
    } finally {
      lock.unlock();
    }
  }

  void offer(int index, ChannelEvent event) {
    enqueue(index, event, null);
  }

  void channelBroke(int index, ExchangeException failure) {
    enqueue(index, null, failure);
  }

  /** Fails blocked and future polls at once and ends every channel's stream with {@code status}. */
  void breakAll(ExchangeException failure, Status status) {
    List<InboundChannel> toClose = new ArrayList<>();
    lock.lock();
    try {
      if (broken == null) {
        broken = failure;
      }
      arrivals.clear();
      held.forEach(ArrayDeque::clear);
      for (InboundChannel s : streams) {
        if (s != null) {
          toClose.add(s);
        }
      }
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
    for (InboundChannel s : toClose) {
      s.shutdown(status);
    }
  }

  private void enqueue(int index, @Nullable ChannelEvent event,
      @Nullable ExchangeException failure) {
    lock.lock();
    try {
      if (broken != null) {
        return;
      }
      Arrival arrival = new Arrival(arrivalCount++, index, event, failure);
      if (failure == null && blocked[index]) {
        held.get(index).add(arrival);
      } else {
        arrivals.add(arrival);
        arrived.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  private static final class Arrival {
    final long sequence;
    final int index;
    final ChannelEvent event;
    final ExchangeException failure;

    Arrival(long sequence, int index, ChannelEvent event, ExchangeException failure) {
      this.sequence = sequence;
      this.index = index;
      this.event = event;
      this.failure = failure;
    }
  }
}
