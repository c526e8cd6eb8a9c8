package dev.weir.worker.exchange;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;

/**
 * The consumer's end of one channel's gRPC stream. It learns its channel from the OPEN frame, waits
 * without credit until the channel's gate exists, then hands each event to the gate. It asks gRPC
 * for one message at a time, so unread messages wait in HTTP/2 flow control rather than in memory,
 * and it fails a producer that sends beyond its credit.
 *
 * <p>gRPC calls the listener methods one at a time on an event-loop thread; the gate and abort
 * paths call in from other threads, hence {@code synchronized} on every use of the call.
 */
final class InboundStream extends ServerCall.Listener<byte[]> implements InboundChannel {
  private final ServerCall<byte[], byte[]> call;
  private final GrpcDataExchange exchange;

  private ChannelId id; // set by the first frame, before anyone else sees this stream
  private GrpcInputGate gate;
  private int index;
  private int credits; // events the producer may still send
  private int unreturned; // events the gate handed out whose credit is not yet sent back
  private int returnBatch = 1;
  private int batchElements = -1; // >= 0 while the next message is a batch payload
  private boolean ended;
  private boolean closed;
  private ExchangeException failure;

  InboundStream(ServerCall<byte[], byte[]> call, GrpcDataExchange exchange) {
    this.call = call;
    this.exchange = exchange;
  }

  @Override
  public ChannelId id() {
    return id;
  }

  @Override
  public void onMessage(byte[] frame) {
    try {
      if (id == null) {
        id = ExchangeProtocol.parseOpen(frame);
        synchronized (this) {
          call.sendHeaders(new Metadata());
        }
        exchange.streamOpened(this);
      } else if (batchElements >= 0) {
        int elements = batchElements;
        batchElements = -1;
        deliver(new ChannelEvent.DataBatch(frame, elements), false);
      } else {
        switch (ExchangeProtocol.tag(frame)) {
          case ExchangeProtocol.BATCH:
            takeCredit();
            batchElements = ExchangeProtocol.intBody(frame);
            if (batchElements < 0) {
              throw new IllegalArgumentException("negative element count " + batchElements);
            }
            break;
          case ExchangeProtocol.WATERMARK:
            takeCredit();
            deliver(new ChannelEvent.Watermark(ExchangeProtocol.longBody(frame)), false);
            break;
          case ExchangeProtocol.PROCESSING_TIME:
            takeCredit();
            deliver(new ChannelEvent.ProcessingTime(ExchangeProtocol.longBody(frame)), false);
            break;
          case ExchangeProtocol.BARRIER:
            takeCredit();
            deliver(new ChannelEvent.CheckpointBarrier(ExchangeProtocol.longBody(frame)), false);
            break;
          case ExchangeProtocol.END:
            takeCredit();
            deliver(ChannelEvent.EndOfInput.INSTANCE, true);
            break;
          default:
            throw new IllegalArgumentException("unknown frame tag " + frame[0]);
        }
      }
    } catch (RuntimeException e) {
      fail("protocol violation: " + e.getMessage(), Status.INTERNAL);
      return;
    }
    synchronized (this) {
      if (!closed) {
        call.request(1);
      }
    }
  }

  @Override
  public void onHalfClose() {
    synchronized (this) {
      if (ended && !closed) {
        closed = true;
        call.close(Status.OK, new Metadata());
        return;
      }
    }
    fail("producer closed the stream before EndOfInput", Status.FAILED_PRECONDITION);
  }

  @Override
  public void onCancel() {
    synchronized (this) {
      closed = true; // gRPC already ended the call; closing it again is not allowed
    }
    fail("stream cancelled or connection lost before EndOfInput", Status.CANCELLED);
  }

  /**
   * Joins {@code gate} as its channel {@code index} and grants the initial credit; later credit
   * goes back in groups of {@code returnBatch}.
   */
  @Override
  public void attach(GrpcInputGate gate, int index, int initialCredits, int returnBatch) {
    this.returnBatch = returnBatch;
    ExchangeException brokenBefore;
    synchronized (this) {
      this.gate = gate;
      this.index = index;
      brokenBefore = failure;
      if (brokenBefore == null && !closed) {
        credits = initialCredits;
        call.sendMessage(ExchangeProtocol.credit(initialCredits));
      }
    }
    if (brokenBefore != null) {
      gate.channelBroke(index, brokenBefore);
    }
  }

  /**
   * The gate handed out one of this channel's events: the producer may send one more, once
   * {@code returnBatch} such credits have gathered.
   */
  @Override
  public void returnCredit() {
    synchronized (this) {
      if (closed || ended) {
        return;
      }
      if (++unreturned < returnBatch) {
        return;
      }
      credits += unreturned;
      call.sendMessage(ExchangeProtocol.credit(unreturned));
      unreturned = 0;
    }
  }

  /** Ends the stream from the consumer side (abort, gate closed, exchange closed). */
  @Override
  public void shutdown(Status status) {
    synchronized (this) {
      if (failure == null && !ended) {
        failure = new ExchangeException("channel " + id + ": " + status.getDescription());
      }
      if (closed) {
        return;
      }
      closed = true;
      call.close(status, new Metadata());
    }
  }

  private synchronized void takeCredit() {
    if (ended) {
      throw new IllegalStateException("producer sent an event after EndOfInput");
    }
    if (credits <= 0) {
      throw new IllegalStateException("producer sent an event without credit");
    }
    credits--;
  }

  private void deliver(ChannelEvent event, boolean last) {
    GrpcInputGate target;
    synchronized (this) {
      if (closed) {
        return; // consumer side already gave up on this channel
      }
      ended = last;
      target = gate;
    }
    target.offer(index, event);
  }

  private void fail(String reason, Status status) {
    ExchangeException broken;
    GrpcInputGate target;
    synchronized (this) {
      if (ended || failure != null) {
        if (!closed) {
          closed = true;
          call.close(status.withDescription(reason), new Metadata());
        }
        return;
      }
      broken = new ExchangeException("channel " + id + " broke: " + reason);
      failure = broken;
      target = gate;
      if (!closed) {
        closed = true;
        call.close(status.withDescription(reason), new Metadata());
      }
    }
    if (target != null) {
      target.channelBroke(index, broken);
    }
  }
}
