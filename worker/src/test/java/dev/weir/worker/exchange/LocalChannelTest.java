package dev.weir.worker.exchange;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.weir.worker.exchange.ChannelEvent.CheckpointBarrier;
import dev.weir.worker.exchange.ChannelEvent.DataBatch;
import dev.weir.worker.exchange.ChannelEvent.EndOfInput;
import dev.weir.worker.exchange.ChannelEvent.Watermark;
import dev.weir.worker.exchange.InputGate.GateEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.After;
import org.junit.Test;

/**
 * A channel whose producer and consumer share an endpoint is handed over in memory, and keeps the
 * contract of a gRPC channel: order, in-band control events, credit, barrier alignment's hold,
 * and breaking on either side.
 */
public class LocalChannelTest {
  private static final long WAIT_SECONDS = 30;
  private static final ExchangeConfig LOCAL = ExchangeConfig.defaults().withLocalHandOver(true);

  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-producer");
    t.setDaemon(true);
    return t;
  });
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @After
  public void tearDown() throws Exception {
    threads.shutdownNow();
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private GrpcDataExchange exchange(ExchangeConfig config) {
    GrpcDataExchange ex = GrpcDataExchange.start("127.0.0.1", 0, config);
    toClose.add(ex);
    return ex;
  }

  @Test
  public void aChannelToTheOwnAddressIsLocalAndOneToAnotherEndpointIsNot() {
    GrpcDataExchange here = exchange(LOCAL);
    GrpcDataExchange other = exchange(LOCAL);
    GrpcDataExchange wireOnly = exchange(ExchangeConfig.defaults().withLocalHandOver(false));
    assertThat(here.openWriter(new ChannelId("job", 0, 0, 0, 0), here.address()),
        instanceOf(LocalChannel.class));
    assertThat(here.openWriter(new ChannelId("job", 0, 0, 0, 1), other.address()),
        instanceOf(GrpcChannelWriter.class));
    assertThat(wireOnly.openWriter(new ChannelId("job", 0, 0, 0, 2), wireOnly.address()),
        instanceOf(GrpcChannelWriter.class));
  }

  @Test
  public void eventsArriveInOrderWithControlEventsInBandAlsoWhenTheWriterOpensFirst()
      throws Exception {
    GrpcDataExchange ex = exchange(LOCAL.withCreditsPerChannel(2));
    ChannelId a = new ChannelId("job", 0, 1, 0, 0);
    ChannelId b = new ChannelId("job", 0, 1, 1, 0);
    // Writer a before the gate exists: it is held without credit until the gate opens.
    ChannelWriter writerA = ex.openWriter(a, ex.address());
    Future<?> sendingA = threads.submit(() -> sendNumbered(writerA, 0, 100));
    InputGate gate = ex.openGate(List.of(a, b));
    Future<?> sendingB = threads.submit(() -> sendNumbered(ex.openWriter(b, ex.address()), 1, 100));

    int[] next = new int[2];
    int ended = 0;
    while (ended < 2) {
      GateEvent e = gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertNotNull(e);
      int ch = e.channelIndex();
      if (e.event() instanceof EndOfInput) {
        assertEquals(100, next[ch]);
        ended++;
      } else if (e.event() instanceof Watermark) {
        assertEquals("watermark after the batch it follows", next[ch] - 1,
            ((Watermark) e.event()).millis());
      } else {
        assertArrayEquals(sequenced(ch, next[ch]), ((DataBatch) e.event()).payload());
        next[ch]++;
      }
    }
    sendingA.get(WAIT_SECONDS, TimeUnit.SECONDS);
    sendingB.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNull(gate.poll(0, TimeUnit.SECONDS));
  }

  @Test
  public void aSlowConsumerBlocksTheProducerOnceItsCreditIsSpent() throws Exception {
    int credits = 3;
    GrpcDataExchange ex = exchange(LOCAL.withCreditsPerChannel(credits));
    ChannelId id = new ChannelId("job", 0, 2, 0, 0);
    InputGate gate = ex.openGate(List.of(id));
    AtomicInteger sent = new AtomicInteger();
    Thread[] producer = new Thread[1];
    Future<?> sending = threads.submit(() -> {
      producer[0] = Thread.currentThread();
      try (ChannelWriter w = ex.openWriter(id, ex.address())) {
        for (int i = 0; i < 10; i++) {
          w.send(new DataBatch(sequenced(0, i), 1));
          sent.incrementAndGet();
        }
        w.send(EndOfInput.INSTANCE);
      }
      return null;
    });
    awaitTrue(() -> sent.get() == credits && isBlockedInSend(producer[0]),
        "producer blocks after its credit");
    assertNotNull(gate.poll(WAIT_SECONDS, TimeUnit.SECONDS));
    awaitTrue(() -> sent.get() == credits + 1 && isBlockedInSend(producer[0]),
        "one event taken lets one more through");
    for (int i = 1; i <= 10; i++) {
      assertNotNull(gate.poll(WAIT_SECONDS, TimeUnit.SECONDS));
    }
    sending.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  public void aBlockedChannelGetsNoCreditUntilResumeAllAndLosesNothing() throws Exception {
    int credits = 4;
    GrpcDataExchange ex = exchange(LOCAL.withCreditsPerChannel(credits));
    ChannelId held = new ChannelId("job", 0, 3, 0, 0);
    InputGate gate = ex.openGate(List.of(held));
    AtomicInteger sentAfterBarrier = new AtomicInteger();
    Thread[] producer = new Thread[1];
    Future<?> sending = threads.submit(() -> {
      producer[0] = Thread.currentThread();
      try (ChannelWriter w = ex.openWriter(held, ex.address())) {
        w.send(new CheckpointBarrier(7));
        for (int i = 0; i < 12; i++) {
          w.send(new DataBatch(sequenced(0, i), 1));
          sentAfterBarrier.incrementAndGet();
        }
        w.send(EndOfInput.INSTANCE);
      }
      return null;
    });
    GateEvent barrier = gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(new CheckpointBarrier(7), barrier.event());
    gate.block(0);
    awaitTrue(() -> sentAfterBarrier.get() == credits && isBlockedInSend(producer[0]),
        "the held producer stalls after its credit");
    assertNull(gate.poll(0, TimeUnit.SECONDS));
    assertEquals(credits, sentAfterBarrier.get());

    gate.resumeAll();
    for (int i = 0; i < 12; i++) {
      GateEvent e = gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertArrayEquals(sequenced(0, i), ((DataBatch) e.event()).payload());
    }
    assertEquals(EndOfInput.INSTANCE, gate.poll(WAIT_SECONDS, TimeUnit.SECONDS).event());
    sending.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  public void aProducerClosingBeforeEndOfInputBreaksTheConsumersChannelAfterItsEvents()
      throws Exception {
    GrpcDataExchange ex = exchange(LOCAL);
    ChannelId id = new ChannelId("job", 0, 4, 0, 0);
    InputGate gate = ex.openGate(List.of(id));
    ChannelWriter w = ex.openWriter(id, ex.address());
    w.send(new DataBatch(sequenced(0, 0), 1));
    w.close();
    assertArrayEquals(sequenced(0, 0),
        ((DataBatch) gate.poll(WAIT_SECONDS, TimeUnit.SECONDS).event()).payload());
    try {
      gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      fail("the channel broke");
    } catch (ExchangeException expected) {
      assertThat(expected.getMessage(), containsString("before EndOfInput"));
    }
  }

  @Test
  public void aProducerClosingBeforeTheGateOpensBreaksTheChannelWhenItDoes() throws Exception {
    GrpcDataExchange ex = exchange(LOCAL);
    ChannelId id = new ChannelId("job", 0, 5, 0, 0);
    ex.openWriter(id, ex.address()).close();
    InputGate gate = ex.openGate(List.of(id));
    try {
      gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      fail("the channel broke");
    } catch (ExchangeException expected) {
      assertThat(expected.getMessage(), containsString("before EndOfInput"));
    }
  }

  @Test
  public void closingTheGateFailsABlockedAndEveryLaterSend() throws Exception {
    GrpcDataExchange ex = exchange(LOCAL.withCreditsPerChannel(1));
    ChannelId id = new ChannelId("job", 0, 6, 0, 0);
    InputGate gate = ex.openGate(List.of(id));
    Thread[] producer = new Thread[1];
    Future<?> sending = threads.submit(() -> {
      producer[0] = Thread.currentThread();
      ChannelWriter w = ex.openWriter(id, ex.address());
      w.send(new DataBatch(sequenced(0, 0), 1));
      w.send(new DataBatch(sequenced(0, 1), 1));
      return null;
    });
    awaitTrue(() -> isBlockedInSend(producer[0]), "producer blocks without credit");
    gate.close();
    Throwable failure = failureOf(sending);
    assertThat(failure, instanceOf(ExchangeException.class));
    assertThat(failure.getMessage(), containsString("closed by consumer"));
  }

  @Test
  public void abortingTheJobUnblocksTheProducerAndBreaksTheGate() throws Exception {
    GrpcDataExchange ex = exchange(LOCAL.withCreditsPerChannel(1));
    ChannelId id = new ChannelId("job", 0, 7, 0, 0);
    ChannelId otherJob = new ChannelId("other", 0, 7, 0, 0);
    InputGate gate = ex.openGate(List.of(id));
    InputGate otherGate = ex.openGate(List.of(otherJob));
    ChannelWriter otherWriter = ex.openWriter(otherJob, ex.address());
    Thread[] producer = new Thread[1];
    Future<?> sending = threads.submit(() -> {
      producer[0] = Thread.currentThread();
      ChannelWriter w = ex.openWriter(id, ex.address());
      w.send(new DataBatch(sequenced(0, 0), 1));
      w.send(new DataBatch(sequenced(0, 1), 1));
      return null;
    });
    awaitTrue(() -> isBlockedInSend(producer[0]), "producer blocks without credit");
    ex.abortJob("job");
    assertThat(failureOf(sending), instanceOf(ExchangeException.class));
    try {
      gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      fail("the gate broke");
    } catch (ExchangeException expected) {
      assertThat(expected.getMessage(), containsString("aborted"));
    }
    try {
      ex.openWriter(new ChannelId("job", 0, 7, 1, 0), ex.address());
      fail("an aborted job's channels are refused");
    } catch (ExchangeException expected) {
      assertThat(expected.getMessage(), containsString("aborted"));
    }
    // Another job's channel is untouched.
    otherWriter.send(EndOfInput.INSTANCE);
    assertEquals(EndOfInput.INSTANCE, otherGate.poll(WAIT_SECONDS, TimeUnit.SECONDS).event());
  }

  // ---- helpers

  /** Batches 0..n-1 of {@code producer}, a watermark after every tenth, then the end. */
  private static Void sendNumbered(ChannelWriter w, int producer, int n) throws Exception {
    try (w) {
      for (int i = 0; i < n; i++) {
        w.send(new DataBatch(sequenced(producer, i), 1));
        if (i % 10 == 0) {
          w.send(new Watermark(i));
        }
      }
      w.send(EndOfInput.INSTANCE);
    }
    return null;
  }

  private static byte[] sequenced(int producer, int seq) {
    return ByteBuffer.allocate(64).putInt(producer).putInt(seq).array();
  }

  private static boolean isBlockedInSend(Thread t) {
    if (t == null) {
      return false;
    }
    Thread.State s = t.getState();
    if (s != Thread.State.WAITING && s != Thread.State.TIMED_WAITING) {
      return false;
    }
    boolean awaiting = false;
    boolean inSend = false;
    for (StackTraceElement f : t.getStackTrace()) {
      String frame = f.getClassName() + "." + f.getMethodName();
      awaiting |= frame.contains("ConditionObject.await");
      inSend |= frame.endsWith("LocalChannel.send");
    }
    return awaiting && inSend;
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + WAIT_SECONDS + "s: " + what);
      }
      Thread.sleep(5);
    }
  }

  private static Throwable failureOf(Future<?> f) throws Exception {
    try {
      f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    fail("expected a failure");
    return null;
  }
}
