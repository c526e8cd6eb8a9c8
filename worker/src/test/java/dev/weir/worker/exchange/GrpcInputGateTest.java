package dev.weir.worker.exchange;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.fail;

import dev.weir.worker.exchange.ChannelEvent.CheckpointBarrier;
import dev.weir.worker.exchange.ChannelEvent.DataBatch;
import dev.weir.worker.exchange.ChannelEvent.EndOfInput;
import dev.weir.worker.exchange.ChannelEvent.Watermark;
import dev.weir.worker.exchange.InputGate.GateEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * The gate's queueing on its own, fed directly as its streams would feed it: no gRPC, so the order
 * of arrivals is exactly the order of the calls. Credit is covered over real gRPC in {@link
 * GrpcDataExchangeTest}.
 */
public class GrpcInputGateTest {
  private static final List<ChannelId> CHANNELS = List.of(
      new ChannelId("job", 0, 1, 0, 0), new ChannelId("job", 0, 1, 1, 0),
      new ChannelId("job", 0, 1, 2, 0));

  private final GrpcInputGate gate = new GrpcInputGate(CHANNELS, null);

  @Test
  public void blockedChannelYieldsNothingWhileOthersFlow() throws Exception {
    gate.offer(0, new CheckpointBarrier(1));
    assertEquals("0:CheckpointBarrier[1]", next());
    gate.block(0);
    gate.offer(0, batch(10));
    gate.offer(1, batch(20));
    gate.offer(0, batch(11));
    gate.offer(2, batch(30));

    assertEquals("1:20", next());
    assertEquals("2:30", next());
    assertNull("channel 0 is held back", gate.poll(0, TimeUnit.SECONDS));
  }

  @Test
  public void eventsQueuedBeforeBlockAreHeldBackToo() throws Exception {
    // The barrier and the events after it arrived before the consumer saw the barrier.
    gate.offer(0, new CheckpointBarrier(1));
    gate.offer(0, batch(10));
    gate.offer(1, batch(20));
    gate.offer(0, new Watermark(5));
    assertEquals("0:CheckpointBarrier[1]", next());
    gate.block(0);

    assertEquals("1:20", next());
    assertNull(gate.poll(0, TimeUnit.SECONDS));
    gate.resumeAll();
    assertEquals("0:10", next());
    assertEquals("0:Watermark[5]", next());
    assertNull(gate.poll(0, TimeUnit.SECONDS));
  }

  @Test
  public void resumeAllYieldsHeldEventsInArrivalOrderBeforeLaterArrivals() throws Exception {
    gate.offer(0, new CheckpointBarrier(7));
    gate.offer(1, new CheckpointBarrier(7));
    assertEquals("0:CheckpointBarrier[7]", next());
    gate.block(0);
    assertEquals("1:CheckpointBarrier[7]", next());
    gate.block(1);
    gate.offer(1, batch(20));
    gate.offer(0, batch(10));
    gate.offer(2, batch(30)); // not blocked: waits in the queue, not taken yet
    gate.offer(1, batch(21));
    gate.offer(0, batch(11));

    gate.resumeAll();
    gate.offer(0, batch(12));
    gate.offer(1, EndOfInput.INSTANCE);

    List<String> out = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      out.add(next());
    }
    assertEquals(List.of("1:20", "0:10", "2:30", "1:21", "0:11", "0:12", "1:EndOfInput"), out);
  }

  @Test
  public void blockedChannelsEndOfInputComesOutAfterResume() throws Exception {
    gate.offer(0, new CheckpointBarrier(1));
    assertEquals("0:CheckpointBarrier[1]", next());
    gate.block(0);
    gate.offer(0, EndOfInput.INSTANCE);
    assertNull(gate.poll(0, TimeUnit.SECONDS));
    gate.resumeAll();
    assertEquals("0:EndOfInput", next());
  }

  @Test
  public void blockedChannelsFailureFailsTheGateAtOnce() throws Exception {
    gate.offer(0, new CheckpointBarrier(1));
    assertEquals("0:CheckpointBarrier[1]", next());
    gate.block(0);
    gate.offer(0, batch(10));
    gate.offer(1, batch(20));
    gate.channelBroke(0, new ExchangeException("channel " + CHANNELS.get(0) + " broke: test"));

    // Channel 1's event arrived first and still comes out; the failure does not wait for resume.
    assertEquals("1:20", next());
    try {
      gate.poll(0, TimeUnit.SECONDS);
      fail("a broken blocked channel fails the gate");
    } catch (ExchangeException expected) {
      assertThat(expected.getMessage(), containsString(CHANNELS.get(0).toString()));
    }
  }

  @Test
  public void blockingAnIndexOutsideTheGateIsRejected() {
    try {
      gate.block(3);
      fail("index out of range");
    } catch (IndexOutOfBoundsException expected) {
      assertThat(expected.getMessage(), containsString("3"));
    }
  }

  @Test
  public void resumeWithoutBlockChangesNothing() throws Exception {
    gate.offer(2, batch(30));
    gate.offer(1, batch(20));
    gate.resumeAll();
    assertEquals("2:30", next());
    assertEquals("1:20", next());
  }

  private String next() throws InterruptedException {
    GateEvent e = gate.poll(0, TimeUnit.SECONDS);
    assertNotNull("an event is waiting", e);
    String what = e.event() instanceof DataBatch
        ? String.valueOf(((DataBatch) e.event()).elementCount())
        : e.event().toString();
    return e.channelIndex() + ":" + what;
  }

  /** A batch named by its element count, which these tests use as a label. */
  private static DataBatch batch(int label) {
    return new DataBatch(new byte[0], label);
  }
}
