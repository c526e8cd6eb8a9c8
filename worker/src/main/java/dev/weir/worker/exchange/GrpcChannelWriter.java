package dev.weir.worker.exchange;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The producer's end of one channel: a client gRPC stream to the consumer's endpoint. {@link
 * #send} spends one credit per event and waits for the consumer's CREDIT frames when none is left,
 * so at most the granted credit is ever in flight or buffered.
 */
final class GrpcChannelWriter implements OutboundChannel {
  private final ChannelId id;
  private final ClientCall<byte[], byte[]> call;
  private final GrpcDataExchange exchange;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition creditArrived = lock.newCondition();
  private int credits;
  private boolean endSent;
  private ExchangeException failure;

  GrpcChannelWriter(ChannelId id, ClientCall<byte[], byte[]> call, GrpcDataExchange exchange) {
    this.id = id;
    this.call = call;
    this.exchange = exchange;
  }

  /** Starts the stream and names the channel; the consumer grants credit once its gate exists. */
  void start() {
    synchronized (call) {
      call.start(new CreditListener(), new Metadata());
      call.request(1);
      call.sendMessage(ExchangeProtocol.open(id));
    }
  }

  @Override
  public ChannelId id() {
    return id;
  }

  @Override
  public void send(ChannelEvent event) throws InterruptedException {
    boolean last = event instanceof ChannelEvent.EndOfInput;
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
    } finally {
      lock.unlock();
    }
    synchronized (call) {
      if (event instanceof ChannelEvent.DataBatch) {
        ChannelEvent.DataBatch batch = (ChannelEvent.DataBatch) event;
        call.sendMessage(ExchangeProtocol.batchHeader(batch.elementCount()));
        call.sendMessage(batch.payload());
      } else if (event instanceof ChannelEvent.Watermark) {
        call.sendMessage(ExchangeProtocol.watermark(((ChannelEvent.Watermark) event).millis()));
      } else if (event instanceof ChannelEvent.ProcessingTime) {
        call.sendMessage(
            ExchangeProtocol.processingTime(((ChannelEvent.ProcessingTime) event).millis()));
      } else if (event instanceof ChannelEvent.CheckpointBarrier) {
        call.sendMessage(ExchangeProtocol.barrier(
            ((ChannelEvent.CheckpointBarrier) event).checkpointId()));
      } else if (last) {
        call.sendMessage(ExchangeProtocol.end());
        call.halfClose();
      } else {
        throw new IllegalArgumentException("unknown event " + event);
      }
    }
  }

  @Override
  public void close() {
    exchange.writerClosed(this);
    boolean cancel;
    lock.lock();
    try {
      cancel = !endSent && failure == null;
      if (failure == null) {
        failure = new ExchangeException("channel " + id + ": writer closed");
      }
      creditArrived.signalAll();
    } finally {
      lock.unlock();
    }
    if (cancel) {
      synchronized (call) {
        call.cancel("producer closed channel " + id + " before EndOfInput", null);
      }
    }
  }

  /** Fails a blocked and every later {@link #send} and cancels the stream. */
  @Override
  public void abort(String reason) {
    lock.lock();
    try {
      if (failure == null) {
        failure = new ExchangeException("channel " + id + ": " + reason);
      }
      creditArrived.signalAll();
    } finally {
      lock.unlock();
    }
    synchronized (call) {
      call.cancel(reason, null);
    }
  }

  private final class CreditListener extends ClientCall.Listener<byte[]> {
    @Override
    public void onMessage(byte[] frame) {
      if (ExchangeProtocol.tag(frame) != ExchangeProtocol.CREDIT) {
        abort("unexpected frame " + frame[0] + " from consumer");
        return;
      }
      int granted = ExchangeProtocol.intBody(frame);
      lock.lock();
      try {
        credits += granted;
        creditArrived.signal();
      } finally {
        lock.unlock();
      }
      call.request(1);
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      lock.lock();
      try {
        if (failure == null && !(status.isOk() && endSent)) {
          failure = new ExchangeException(
              "channel " + id + " closed by consumer: " + status.getCode()
                  + (status.getDescription() == null ? "" : " " + status.getDescription()),
              status.asRuntimeException());
        }
        creditArrived.signalAll();
      } finally {
        lock.unlock();
      }
      exchange.writerClosed(GrpcChannelWriter.this);
    }
  }
}
