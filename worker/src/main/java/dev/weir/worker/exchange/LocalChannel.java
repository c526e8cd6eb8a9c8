package dev.weir.worker.exchange;

import io.grpc.Status;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A channel whose producer and consumer use the same endpoint: {@link #send} hands each event to
 * the consumer's {@link GrpcInputGate} as it is, instead of framing it for gRPC on loopback. It
 * keeps the contract of a gRPC channel: one credit per event, granted by the gate when it attaches
 * and returned as the gate hands events out (so barrier alignment's blocking holds the producer
 * back the same way), events in the order sent, control events in-band, and a channel that breaks
 * on either side is seen broken on the other.
 *
 * <p>A data batch's payload is handed over, not copied: the producer must not change it after
 * sending, which {@link ChannelWriter#send} callers already guarantee for the gRPC path, whose
 * marshaller may read it later on an event-loop thread.
 */
final class LocalChannel implements OutboundChannel, InboundChannel {
  private final ChannelId id;
  private final GrpcDataExchange exchange;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition creditArrived = lock.newCondition();

  // Guarded by lock.
  private GrpcInputGate gate;
  private int index;
  private int credits;
  private int unreturned;
  private int returnBatch = 1;
  private boolean endSent;
  private boolean consumerGone;
  private ExchangeException failure; // fails the producer's sends
  private ExchangeException broken; // what the consumer is told, once attached

  LocalChannel(ChannelId id, GrpcDataExchange exchange) {
    this.id = id;
    this.exchange = exchange;
  }

  @Override
  public ChannelId id() {
    return id;
  }

  @Override
  public void send(ChannelEvent event) throws InterruptedException {
    boolean last = event instanceof ChannelEvent.EndOfInput;
    GrpcInputGate target;
    int targetIndex;
    lock.lockInterruptibly();
    try {
      while (true) {
        if (failure != null) {
          throw new ExchangeException(failure.getMessage(), failure);
        }
        if (endSent) {
          throw new IllegalStateException("channel " + id + " already sent EndOfInput");
        }
        if (credits > 0) {
          break;
        }
        // Timed: the sending subtask is backpressured meanwhile.
        CreditWaits.await(creditArrived);
      }
      credits--;
      endSent = last;
      target = gate; // credit is only granted by an attached gate
      targetIndex = index;
    } finally {
      lock.unlock();
    }
    // Outside the lock, like an event arriving from gRPC: the gate takes its own lock. Only the
    // producer's thread sends, so events reach the gate in the order sent.
    target.offer(targetIndex, event);
  }

  @Override
  public void attach(GrpcInputGate gate, int index, int initialCredits, int returnBatch) {
    ExchangeException brokenBefore;
    lock.lock();
    try {
      this.gate = gate;
      this.index = index;
      this.returnBatch = returnBatch;
      brokenBefore = broken;
      if (brokenBefore == null && !consumerGone) {
        credits = initialCredits;
        creditArrived.signalAll();
      }
    } finally {
      lock.unlock();
    }
    if (brokenBefore != null) {
      gate.channelBroke(index, brokenBefore);
    }
  }

  @Override
  public void returnCredit() {
    lock.lock();
    try {
      if (consumerGone || endSent || failure != null) {
        return;
      }
      if (++unreturned < returnBatch) {
        return;
      }
      credits += unreturned;
      unreturned = 0;
      creditArrived.signal();
    } finally {
      lock.unlock();
    }
  }

  /** The consumer side ended the channel: later (and blocked) sends fail, unless it was over. */
  @Override
  public void shutdown(Status status) {
    lock.lock();
    try {
      consumerGone = true;
      if (failure == null && !endSent) {
        failure = new ExchangeException(
            "channel " + id + " closed by consumer: " + status.getCode()
                + (status.getDescription() == null ? "" : " " + status.getDescription()));
      }
      creditArrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Releases the channel; before {@link ChannelEvent.EndOfInput} the consumer sees it break. */
  @Override
  public void close() {
    exchange.writerClosed(this);
    breakProducerSide("writer closed", "producer closed the channel before EndOfInput");
  }

  @Override
  public void abort(String reason) {
    breakProducerSide(reason, reason);
  }

  private void breakProducerSide(String producerReason, String consumerReason) {
    GrpcInputGate target;
    int targetIndex;
    ExchangeException toConsumer = null;
    lock.lock();
    try {
      if (failure == null) {
        failure = new ExchangeException("channel " + id + ": " + producerReason);
      }
      creditArrived.signalAll();
      if (!endSent && !consumerGone && broken == null) {
        broken = new ExchangeException("channel " + id + " broke: " + consumerReason);
        toConsumer = broken;
      }
      target = gate;
      targetIndex = index;
    } finally {
      lock.unlock();
    }
    // Not attached yet: attach tells the gate.
    if (toConsumer != null && target != null) {
      target.channelBroke(targetIndex, toConsumer);
    }
  }
}
