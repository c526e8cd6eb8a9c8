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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.After;
import org.junit.Test;

public class GrpcDataExchangeTest {
  /** Generous bound for anything that should happen "soon"; never a pass/fail timing criterion. */
  private static final long WAIT_SECONDS = 30;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-producer");
    t.setDaemon(true);
    return t;
  });

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

  private GrpcDataExchange exchange() {
    return exchange(ExchangeConfig.defaults());
  }

  @Test
  public void eventsOfAChannelArriveInOrderWithPayloadsIntact() throws Exception {
    GrpcDataExchange consumer = exchange();
    GrpcDataExchange producer = exchange();
    ChannelId id = new ChannelId("job", 1, 0, 0);
    InputGate gate = consumer.openGate(List.of(id));

    List<ChannelEvent> sent = new ArrayList<>();
    sent.add(new Watermark(Long.MIN_VALUE));
    for (int i = 0; i < 50; i++) {
      sent.add(new DataBatch(bytes(i, 1 + i * 997), i + 1));
      if (i % 10 == 0) {
        sent.add(new Watermark(i * 1000L));
      }
    }
    sent.add(new DataBatch(new byte[0], 0));
    sent.add(new Watermark(Long.MAX_VALUE));
    sent.add(EndOfInput.INSTANCE);

    Future<?> sending = threads.submit(() -> {
      try (ChannelWriter w = producer.openWriter(id, consumer.address())) {
        for (ChannelEvent e : sent) {
          w.send(e);
        }
      }
      return null;
    });

    List<ChannelEvent> received = drain(gate, 1);
    sending.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(sent, received);
    assertEquals(EndOfInput.INSTANCE, received.get(received.size() - 1));
  }

  @Test
  public void manyProducersIntoOneGateKeepPerChannelOrder() throws Exception {
    GrpcDataExchange consumer = exchange(ExchangeConfig.defaults().withCreditsPerChannel(3));
    List<GrpcDataExchange> producers = List.of(exchange(), exchange(), consumer);
    int channelCount = 6;
    int batchesPerChannel = 200;
    List<ChannelId> ids = new ArrayList<>();
    for (int p = 0; p < channelCount; p++) {
      ids.add(new ChannelId("job", 7, p, 3));
    }
    InputGate gate = consumer.openGate(ids);

    List<Future<?>> sending = new ArrayList<>();
    for (int p = 0; p < channelCount; p++) {
      ChannelId id = ids.get(p);
      GrpcDataExchange from = producers.get(p % producers.size());
      sending.add(threads.submit(() -> {
        try (ChannelWriter w = from.openWriter(id, consumer.address())) {
          for (int seq = 0; seq < batchesPerChannel; seq++) {
            w.send(new DataBatch(sequenced(id.producer(), seq), 1));
          }
          w.send(EndOfInput.INSTANCE);
        }
        return null;
      }));
    }

    int[] nextSeq = new int[channelCount];
    int ended = 0;
    while (ended < channelCount) {
      GateEvent e = gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertNotNull("no event within " + WAIT_SECONDS + "s", e);
      int ch = e.channelIndex();
      if (e.event() instanceof EndOfInput) {
        assertEquals("EndOfInput after all batches of channel " + ch, batchesPerChannel,
            nextSeq[ch]);
        ended++;
        continue;
      }
      ByteBuffer payload = ByteBuffer.wrap(((DataBatch) e.event()).payload());
      assertEquals("batch came through the channel of its producer", ch, payload.getInt());
      assertEquals("per-channel order", nextSeq[ch], payload.getInt());
      nextSeq[ch]++;
    }
    for (Future<?> f : sending) {
      f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
  }

  @Test
  public void slowConsumerBlocksProducerOnceCreditsAreUsed() throws Exception {
    int credits = 4;
    GrpcDataExchange consumer = exchange(ExchangeConfig.defaults().withCreditsPerChannel(credits));
    GrpcDataExchange producer = exchange();
    ChannelId id = new ChannelId("job", 2, 0, 0);
    InputGate gate = consumer.openGate(List.of(id));
    int total = 10;
    AtomicInteger sentCount = new AtomicInteger();
    Thread[] producerThread = new Thread[1];

    Future<?> sending = threads.submit(() -> {
      producerThread[0] = Thread.currentThread();
      try (ChannelWriter w = producer.openWriter(id, consumer.address())) {
        for (int i = 0; i < total - 1; i++) {
          w.send(new DataBatch(sequenced(0, i), 1));
          sentCount.incrementAndGet();
        }
        w.send(EndOfInput.INSTANCE);
        sentCount.incrementAndGet();
      }
      return null;
    });

    awaitTrue(() -> sentCount.get() == credits && isBlockedInSend(producerThread[0]),
        "producer blocks after spending its " + credits + " credits");
    assertEquals("no send returns without credit", credits, sentCount.get());

    // Each event the consumer takes lets exactly one more send through.
    assertNotNull(gate.poll(WAIT_SECONDS, TimeUnit.SECONDS));
    awaitTrue(() -> sentCount.get() == credits + 1 && isBlockedInSend(producerThread[0]),
        "one returned credit lets one more event through");
    assertEquals(credits + 1, sentCount.get());

    List<ChannelEvent> rest = drain(gate, 1);
    sending.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(total - 1, rest.size());
    assertEquals(total, sentCount.get());
  }

  @Test
  public void batchedCreditReturnReleasesTheProducerOnlyAfterAFullBatchIsTaken() throws Exception {
    GrpcDataExchange consumer = exchange(
        ExchangeConfig.defaults().withCreditsPerChannel(4).withCreditReturnBatch(2));
    GrpcDataExchange producer = exchange();
    ChannelId id = new ChannelId("job", 11, 0, 0);
    InputGate gate = consumer.openGate(List.of(id));
    AtomicInteger sentCount = new AtomicInteger();
    Thread[] producerThread = new Thread[1];
    Future<?> sending = threads.submit(() -> {
      producerThread[0] = Thread.currentThread();
      try (ChannelWriter w = producer.openWriter(id, consumer.address())) {
        for (int i = 0; i < 9; i++) {
          w.send(new DataBatch(sequenced(0, i), 1));
          sentCount.incrementAndGet();
        }
        w.send(EndOfInput.INSTANCE);
      }
      return null;
    });
    awaitTrue(() -> sentCount.get() == 4 && isBlockedInSend(producerThread[0]), "4 credits spent");

    assertNotNull(gate.poll(WAIT_SECONDS, TimeUnit.SECONDS));
    // The first taken event is half a batch and its credit is held back; the second sends both
    // credits in one frame, and the producer moves exactly two events on, no further.
    assertNotNull(gate.poll(WAIT_SECONDS, TimeUnit.SECONDS));
    awaitTrue(() -> sentCount.get() == 6 && isBlockedInSend(producerThread[0]),
        "two returned credits let two more events through");
    assertEquals(6, sentCount.get());

    assertEquals(8, drain(gate, 1).size());
    sending.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  public void producerConnectingBeforeOpenGateIsHeldAndThenDelivered() throws Exception {
    GrpcDataExchange consumer = exchange();
    GrpcDataExchange producer = exchange();
    ChannelId id = new ChannelId("job", 3, 1, 2);
    AtomicInteger sentCount = new AtomicInteger();
    Thread[] producerThread = new Thread[1];

    Future<?> sending = threads.submit(() -> {
      producerThread[0] = Thread.currentThread();
      try (ChannelWriter w = producer.openWriter(id, consumer.address())) {
        for (int i = 0; i < 20; i++) {
          w.send(new DataBatch(sequenced(1, i), 1));
          sentCount.incrementAndGet();
        }
        w.send(EndOfInput.INSTANCE);
      }
      return null;
    });
    awaitTrue(() -> isBlockedInSend(producerThread[0]), "producer waits for the gate's credit");
    assertEquals("no credit before the gate exists", 0, sentCount.get());

    InputGate gate = consumer.openGate(List.of(id));
    List<ChannelEvent> received = drain(gate, 1);
    sending.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(21, received.size());
    for (int i = 0; i < 20; i++) {
      assertArrayEquals(sequenced(1, i), ((DataBatch) received.get(i)).payload());
    }
  }

  @Test
  public void abortJobOnProducerSideUnblocksBlockedSend() throws Exception {
    assertAbortUnblocksSend(false);
  }

  @Test
  public void abortJobOnConsumerSideUnblocksBlockedSend() throws Exception {
    assertAbortUnblocksSend(true);
  }

  private void assertAbortUnblocksSend(boolean abortAtConsumer) throws Exception {
    GrpcDataExchange consumer = exchange(ExchangeConfig.defaults().withCreditsPerChannel(1));
    GrpcDataExchange producer = exchange();
    ChannelId id = new ChannelId("doomed", 4, 0, 0);
    consumer.openGate(List.of(id));
    Thread[] producerThread = new Thread[1];
    AtomicInteger sentCount = new AtomicInteger();

    Future<?> sending = threads.submit(() -> {
      producerThread[0] = Thread.currentThread();
      ChannelWriter w = producer.openWriter(id, consumer.address());
      while (true) {
        w.send(new DataBatch(new byte[16], 1));
        sentCount.incrementAndGet();
      }
    });
    awaitTrue(() -> sentCount.get() == 1 && isBlockedInSend(producerThread[0]),
        "producer blocks on its second send");

    (abortAtConsumer ? consumer : producer).abortJob("doomed");
    Throwable thrown = failureOf(sending);
    assertThat(thrown, instanceOf(ExchangeException.class));
    assertThat(thrown.getMessage(), containsString("doomed"));
  }

  @Test
  public void abortJobUnblocksBlockedPoll() throws Exception {
    GrpcDataExchange consumer = exchange();
    ChannelId id = new ChannelId("doomed", 5, 0, 0);
    InputGate gate = consumer.openGate(List.of(id));
    Thread[] pollThread = new Thread[1];

    Future<?> polling = threads.submit(() -> {
      pollThread[0] = Thread.currentThread();
      return gate.poll(1, TimeUnit.HOURS);
    });
    awaitTrue(() -> isWaitingIn(pollThread[0], "GrpcInputGate.poll"), "poll blocks");

    consumer.abortJob("doomed");
    Throwable thrown = failureOf(polling);
    assertThat(thrown, instanceOf(ExchangeException.class));
    assertThat(thrown.getMessage(), containsString("doomed"));
  }

  @Test
  public void producerEndpointClosingMidStreamMakesPollThrowNamingTheChannel() throws Exception {
    GrpcDataExchange consumer = exchange();
    GrpcDataExchange producer = GrpcDataExchange.start("127.0.0.1", 0, ExchangeConfig.defaults());
    toClose.add(producer);
    ChannelId id = new ChannelId("job", 6, 4, 1);
    ChannelId quiet = new ChannelId("job", 6, 5, 1);
    InputGate gate = consumer.openGate(List.of(id, quiet));

    ChannelWriter w = producer.openWriter(id, consumer.address());
    for (int i = 0; i < 3; i++) {
      w.send(new DataBatch(sequenced(4, i), 1));
    }
    producer.close(); // mid-stream: no EndOfInput

    // Batches that made it out before the close come first, in order; then the channel's failure.
    int seq = 0;
    try {
      while (true) {
        GateEvent e = gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull("no failure within " + WAIT_SECONDS + "s", e);
        assertArrayEquals(sequenced(4, seq++), ((DataBatch) e.event()).payload());
      }
    } catch (ExchangeException expected) {
      assertThat(expected.getMessage(), containsString(id.toString()));
      assertTrue(seq <= 3);
    }
    try {
      gate.poll(0, TimeUnit.SECONDS);
      fail("a broken gate stays broken");
    } catch (ExchangeException expected) {
      assertThat(expected.getMessage(), containsString(id.toString()));
    }
  }

  @Test
  public void consumerClosingItsGateFailsTheProducersSend() throws Exception {
    GrpcDataExchange consumer = exchange(ExchangeConfig.defaults().withCreditsPerChannel(1));
    GrpcDataExchange producer = exchange();
    ChannelId id = new ChannelId("job", 8, 0, 0);
    InputGate gate = consumer.openGate(List.of(id));
    ChannelWriter w = producer.openWriter(id, consumer.address());
    w.send(new DataBatch(new byte[8], 1));
    gate.close();
    Future<?> sending = threads.submit(() -> {
      w.send(new DataBatch(new byte[8], 1));
      return null;
    });
    Throwable thrown = failureOf(sending);
    assertThat(thrown, instanceOf(ExchangeException.class));
    assertThat(thrown.getMessage(), containsString(id.toString()));
  }

  @Test
  public void closeReleasesThePortAndLeavesNoNonDaemonThreads() throws Exception {
    List<Thread> nonDaemonBefore = liveThreads(false);
    // Over gRPC, so that the connection to itself has threads and a socket to release too.
    GrpcDataExchange first = GrpcDataExchange.start(
        "127.0.0.1", 0, ExchangeConfig.defaults().withLocalHandOver(false));
    int port = first.port();
    assertEquals("127.0.0.1:" + port, first.address());
    ChannelId id = new ChannelId("job", 9, 0, 0);
    InputGate gate = first.openGate(List.of(id));
    try (ChannelWriter w = first.openWriter(id, first.address())) {
      w.send(new DataBatch(new byte[100], 1));
      w.send(EndOfInput.INSTANCE);
    }
    assertEquals(2, drain(gate, 1).size());
    first.close();

    assertTrue("exchange threads stopped: " + exchangeThreads(), exchangeThreads().isEmpty());
    // Netty's global executor runs the shutdown's completion callbacks on a non-daemon thread
    // that ends by itself about a second after its last task; it must not linger beyond that.
    awaitTrue(() -> newThreads(liveThreads(false), nonDaemonBefore).isEmpty(),
        () -> "non-daemon threads left: " + newThreads(liveThreads(false), nonDaemonBefore));

    GrpcDataExchange second = GrpcDataExchange.start("127.0.0.1", port, ExchangeConfig.defaults());
    try {
      assertEquals(port, second.port());
    } finally {
      second.close();
    }
  }

  @Test
  public void checkpointBarriersTravelInOrderBetweenDataBatchesAndWatermarks() throws Exception {
    GrpcDataExchange consumer = exchange(ExchangeConfig.defaults().withCreditsPerChannel(2));
    GrpcDataExchange producer = exchange();
    ChannelId id = new ChannelId("job", 0, 12, 0, 0);
    InputGate gate = consumer.openGate(List.of(id));

    List<ChannelEvent> sent = new ArrayList<>();
    sent.add(new CheckpointBarrier(1)); // nothing written before it: still sent on its own
    for (int i = 0; i < 30; i++) {
      sent.add(new DataBatch(sequenced(0, i), 1));
      if (i % 7 == 3) {
        sent.add(new CheckpointBarrier(2 + i));
        sent.add(new Watermark(i));
      }
    }
    sent.add(new CheckpointBarrier(Long.MAX_VALUE));
    sent.add(EndOfInput.INSTANCE);

    Future<?> sending = threads.submit(() -> {
      try (ChannelWriter w = producer.openWriter(id, consumer.address())) {
        for (ChannelEvent e : sent) {
          w.send(e);
        }
      }
      return null;
    });
    List<ChannelEvent> received = drain(gate, 1);
    sending.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(sent, received);
  }

  @Test
  public void barrierSentAloneReachesTheGateWithoutFurtherTraffic() throws Exception {
    GrpcDataExchange consumer = exchange();
    GrpcDataExchange producer = exchange();
    ChannelId id = new ChannelId("job", 0, 13, 0, 0);
    InputGate gate = consumer.openGate(List.of(id));
    ChannelWriter w = producer.openWriter(id, consumer.address());
    toClose.add(w);
    w.send(new DataBatch(sequenced(0, 0), 1));
    w.send(new CheckpointBarrier(5));
    // The writer keeps nothing back: both arrive although the producer sends nothing after them.
    GateEvent first = gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    GateEvent second = gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(first);
    assertArrayEquals(sequenced(0, 0), ((DataBatch) first.event()).payload());
    assertNotNull(second);
    assertEquals(new CheckpointBarrier(5), second.event());
  }

  @Test
  public void channelsOfDifferentAttemptsNeverMeet() throws Exception {
    GrpcDataExchange consumer = exchange();
    GrpcDataExchange producer = exchange();
    ChannelId first = new ChannelId("job", 0, 14, 0, 0);
    ChannelId restarted = new ChannelId("job", 1, 14, 0, 0);
    InputGate oldGate = consumer.openGate(List.of(first));
    AtomicInteger restartedSent = new AtomicInteger();
    Thread[] restartedThread = new Thread[1];

    // Attempt 1's producer connects while only attempt 0's gate exists: it must get no credit.
    Future<?> restartedSending = threads.submit(() -> {
      restartedThread[0] = Thread.currentThread();
      try (ChannelWriter w = producer.openWriter(restarted, consumer.address())) {
        w.send(new DataBatch(sequenced(1, 0), 1));
        restartedSent.incrementAndGet();
        w.send(EndOfInput.INSTANCE);
      }
      return null;
    });
    awaitTrue(() -> isBlockedInSend(restartedThread[0]), "attempt 1 waits for its own gate");
    Future<?> firstSending = threads.submit(() -> {
      try (ChannelWriter w = producer.openWriter(first, consumer.address())) {
        w.send(new DataBatch(sequenced(0, 0), 1));
        w.send(EndOfInput.INSTANCE);
      }
      return null;
    });
    List<ChannelEvent> old = drain(oldGate, 1);
    firstSending.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(2, old.size());
    assertArrayEquals(sequenced(0, 0), ((DataBatch) old.get(0)).payload());
    assertEquals("attempt 1 got no credit from attempt 0's gate", 0, restartedSent.get());

    InputGate newGate = consumer.openGate(List.of(restarted));
    List<ChannelEvent> fresh = drain(newGate, 1);
    restartedSending.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(2, fresh.size());
    assertArrayEquals(sequenced(1, 0), ((DataBatch) fresh.get(0)).payload());
  }

  @Test
  public void blockedChannelWithholdsCreditUntilResumeAllAndLosesNothing() throws Exception {
    int credits = 4;
    GrpcDataExchange consumer = exchange(ExchangeConfig.defaults().withCreditsPerChannel(credits));
    GrpcDataExchange producer = exchange();
    ChannelId held = new ChannelId("job", 0, 15, 0, 0);
    ChannelId flowing = new ChannelId("job", 0, 15, 1, 0);
    InputGate gate = consumer.openGate(List.of(held, flowing));
    int heldBatches = 12;
    int flowingBatches = 40;
    AtomicInteger sentAfterBarrier = new AtomicInteger();
    Thread[] heldThread = new Thread[1];

    Future<?> heldSending = threads.submit(() -> {
      heldThread[0] = Thread.currentThread();
      try (ChannelWriter w = producer.openWriter(held, consumer.address())) {
        w.send(new CheckpointBarrier(3));
        for (int i = 0; i < heldBatches; i++) {
          w.send(new DataBatch(sequenced(0, i), 1));
          sentAfterBarrier.incrementAndGet();
        }
        w.send(EndOfInput.INSTANCE);
        sentAfterBarrier.incrementAndGet();
      }
      return null;
    });
    GateEvent barrier = gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(barrier);
    assertEquals(0, barrier.channelIndex());
    assertEquals(new CheckpointBarrier(3), barrier.event());
    gate.block(0);

    // The producer spends the credit it holds (the barrier's came back when it was taken), then
    // stalls: nothing it sends after that can be buffered at the consumer.
    awaitTrue(() -> sentAfterBarrier.get() == credits && isBlockedInSend(heldThread[0]),
        "the held producer stalls after its " + credits + " credits");

    // Meanwhile the other channel flows to its end.
    Future<?> flowingSending = threads.submit(() -> {
      try (ChannelWriter w = producer.openWriter(flowing, consumer.address())) {
        for (int i = 0; i < flowingBatches; i++) {
          w.send(new DataBatch(sequenced(1, i), 1));
        }
        w.send(EndOfInput.INSTANCE);
      }
      return null;
    });
    for (int i = 0; i <= flowingBatches; i++) {
      GateEvent e = gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertNotNull("the unblocked channel keeps flowing", e);
      assertEquals("only the unblocked channel comes out", 1, e.channelIndex());
      if (i < flowingBatches) {
        assertArrayEquals(sequenced(1, i), ((DataBatch) e.event()).payload());
      } else {
        assertEquals(EndOfInput.INSTANCE, e.event());
      }
    }
    flowingSending.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNull(gate.poll(0, TimeUnit.SECONDS));
    assertEquals("no credit returned while blocked", credits, sentAfterBarrier.get());
    assertTrue(isBlockedInSend(heldThread[0]));

    gate.resumeAll();
    List<ChannelEvent> rest = drain(gate, 1);
    heldSending.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(heldBatches + 1, rest.size());
    for (int i = 0; i < heldBatches; i++) {
      assertArrayEquals(
          "in order, none lost", sequenced(0, i), ((DataBatch) rest.get(i)).payload());
    }
    assertEquals(EndOfInput.INSTANCE, rest.get(heldBatches));
  }

  @Test
  public void blockedChannelBreakingFailsTheGateWithoutWaitingForResume() throws Exception {
    GrpcDataExchange consumer = exchange();
    GrpcDataExchange producer = GrpcDataExchange.start("127.0.0.1", 0, ExchangeConfig.defaults());
    toClose.add(producer);
    ChannelId held = new ChannelId("job", 0, 16, 0, 0);
    ChannelId quiet = new ChannelId("job", 0, 16, 1, 0);
    InputGate gate = consumer.openGate(List.of(held, quiet));
    ChannelWriter w = producer.openWriter(held, consumer.address());
    w.send(new CheckpointBarrier(1));
    GateEvent barrier = gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(barrier);
    gate.block(0);
    w.send(new DataBatch(sequenced(0, 0), 1));
    producer.close(); // mid-stream: no EndOfInput

    try {
      GateEvent e = gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      fail("expected the held channel's failure, got " + (e == null ? "nothing" : e.event()));
    } catch (ExchangeException expected) {
      assertThat(expected.getMessage(), containsString(held.toString()));
    }
  }

  @Test
  public void abortAttemptBreaksThatAttemptOnlyAndTheNextAttemptExchangesData() throws Exception {
    GrpcDataExchange consumer = exchange(ExchangeConfig.defaults().withCreditsPerChannel(1));
    GrpcDataExchange producer = exchange();
    ChannelId old = new ChannelId("job", 0, 17, 0, 0);
    ChannelId otherJob = new ChannelId("other", 0, 17, 0, 0);
    InputGate oldGate = consumer.openGate(List.of(old));
    InputGate otherGate = consumer.openGate(List.of(otherJob));
    ChannelWriter otherWriter = producer.openWriter(otherJob, consumer.address());
    toClose.add(otherWriter);
    Thread[] oldThread = new Thread[1];
    AtomicInteger oldSent = new AtomicInteger();
    Future<?> oldSending = threads.submit(() -> {
      oldThread[0] = Thread.currentThread();
      ChannelWriter w = producer.openWriter(old, consumer.address());
      while (true) {
        w.send(new DataBatch(new byte[16], 1));
        oldSent.incrementAndGet();
      }
    });
    awaitTrue(() -> oldSent.get() == 1 && isBlockedInSend(oldThread[0]),
        "attempt 0's producer blocks on its second send");

    consumer.abortAttempt("job", 0);
    producer.abortAttempt("job", 0);
    Throwable thrown = failureOf(oldSending);
    assertThat(thrown, instanceOf(ExchangeException.class));
    try {
      oldGate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      fail("attempt 0's gate is broken");
    } catch (ExchangeException expected) {
      assertThat(expected.getMessage(), containsString("job"));
    }
    try {
      consumer.openGate(List.of(new ChannelId("job", 0, 18, 0, 0)));
      fail("an aborted attempt opens no more gates");
    } catch (ExchangeException expected) {
      assertThat(expected.getMessage(), containsString("attempt 0"));
    }
    try {
      producer.openWriter(new ChannelId("job", 0, 18, 0, 0), consumer.address());
      fail("an aborted attempt opens no more writers");
    } catch (ExchangeException expected) {
      assertThat(expected.getMessage(), containsString("attempt 0"));
    }

    // Attempt 1 of the same job, on the same channel coordinates, works.
    ChannelId restarted = new ChannelId("job", 1, 17, 0, 0);
    InputGate newGate = consumer.openGate(List.of(restarted));
    Future<?> newSending = threads.submit(() -> {
      try (ChannelWriter w = producer.openWriter(restarted, consumer.address())) {
        for (int i = 0; i < 5; i++) {
          w.send(new DataBatch(sequenced(0, i), 1));
        }
        w.send(new CheckpointBarrier(1));
        w.send(EndOfInput.INSTANCE);
      }
      return null;
    });
    List<ChannelEvent> received = drain(newGate, 1);
    newSending.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(7, received.size());
    for (int i = 0; i < 5; i++) {
      assertArrayEquals(sequenced(0, i), ((DataBatch) received.get(i)).payload());
    }
    assertEquals(new CheckpointBarrier(1), received.get(5));

    // Another job's channel opened before the abort is untouched.
    otherWriter.send(new Watermark(9));
    GateEvent e = otherGate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(e);
    assertEquals(new Watermark(9), e.event());
  }

  @Test
  public void abortAttemptLeavesAnotherAttemptsOpenChannelsWorking() throws Exception {
    GrpcDataExchange consumer = exchange();
    GrpcDataExchange producer = exchange();
    ChannelId next = new ChannelId("job", 1, 19, 0, 0);
    InputGate gate = consumer.openGate(List.of(next));
    ChannelWriter w = producer.openWriter(next, consumer.address());
    toClose.add(w);
    threads.submit(() -> {
      w.send(new DataBatch(sequenced(0, 0), 1));
      return null;
    }).get(WAIT_SECONDS, TimeUnit.SECONDS);

    consumer.abortAttempt("job", 0);
    producer.abortAttempt("job", 0);
    Future<?> sending = threads.submit(() -> {
      w.send(new DataBatch(sequenced(0, 1), 1));
      w.send(EndOfInput.INSTANCE);
      return null;
    });
    List<ChannelEvent> received = drain(gate, 1);
    sending.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(3, received.size());
    assertArrayEquals(sequenced(0, 1), ((DataBatch) received.get(1)).payload());
  }

  @Test
  public void consumerRefusesALateProducerOfAnAbortedAttempt() throws Exception {
    GrpcDataExchange consumer = exchange();
    GrpcDataExchange producer = exchange(); // not told of the abort: a straggler
    consumer.abortAttempt("job", 0);
    ChannelWriter w = producer.openWriter(new ChannelId("job", 0, 23, 0, 0), consumer.address());
    toClose.add(w);
    Future<?> sending = threads.submit(() -> {
      w.send(new DataBatch(new byte[8], 1));
      return null;
    });
    Throwable thrown = failureOf(sending);
    assertThat(thrown, instanceOf(ExchangeException.class));
    assertThat(thrown.getMessage(), containsString("attempt 0 was aborted"));
  }

  @Test
  public void abortJobAlsoRefusesLaterAttempts() throws Exception {
    GrpcDataExchange consumer = exchange();
    consumer.abortJob("job");
    try {
      consumer.openGate(List.of(new ChannelId("job", 3, 20, 0, 0)));
      fail("an aborted job opens no gate of any attempt");
    } catch (ExchangeException expected) {
      assertThat(expected.getMessage(), containsString("job"));
    }
  }

  @Test
  public void alignmentOverManyBarriersKeepsEveryChannelsOrderAndHoldsBackAlignedChannels()
      throws Exception {
    GrpcDataExchange consumer = exchange(ExchangeConfig.defaults().withCreditsPerChannel(2));
    List<GrpcDataExchange> producers = List.of(exchange(), consumer);
    int channelCount = 3;
    int checkpoints = 25;
    List<ChannelId> ids = new ArrayList<>();
    for (int p = 0; p < channelCount; p++) {
      ids.add(new ChannelId("job", 2, 21, p, 0));
    }
    InputGate gate = consumer.openGate(ids);
    List<Future<?>> sending = new ArrayList<>();
    for (int p = 0; p < channelCount; p++) {
      ChannelId id = ids.get(p);
      GrpcDataExchange from = producers.get(p % producers.size());
      int batchesBetween = 1 + p * 3; // channels reach their barriers at different paces
      sending.add(threads.submit(() -> {
        try (ChannelWriter w = from.openWriter(id, consumer.address())) {
          int seq = 0;
          for (int n = 1; n <= checkpoints; n++) {
            for (int b = 0; b < batchesBetween; b++) {
              w.send(new DataBatch(sequenced(id.producer(), seq++), 1));
            }
            w.send(new CheckpointBarrier(n));
          }
          w.send(EndOfInput.INSTANCE);
        }
        return null;
      }));
    }

    int[] nextSeq = new int[channelCount];
    long[] lastBarrier = new long[channelCount];
    boolean[] blocked = new boolean[channelCount];
    int blockedCount = 0;
    int ended = 0;
    int aligned = 0;
    while (ended < channelCount) {
      GateEvent e = gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertNotNull("no event within " + WAIT_SECONDS + "s", e);
      int ch = e.channelIndex();
      assertTrue("nothing of channel " + ch + " comes out while it is blocked", !blocked[ch]);
      if (e.event() instanceof CheckpointBarrier) {
        long n = ((CheckpointBarrier) e.event()).checkpointId();
        assertEquals("barriers of a channel in order", lastBarrier[ch] + 1, n);
        lastBarrier[ch] = n;
        gate.block(ch);
        blocked[ch] = true;
        blockedCount++;
        if (blockedCount == channelCount) {
          gate.resumeAll();
          Arrays.fill(blocked, false);
          blockedCount = 0;
          aligned++;
        }
      } else if (e.event() instanceof EndOfInput) {
        ended++;
      } else {
        ByteBuffer payload = ByteBuffer.wrap(((DataBatch) e.event()).payload());
        assertEquals(ch, payload.getInt());
        assertEquals("per-channel order", nextSeq[ch]++, payload.getInt());
      }
    }
    for (Future<?> f : sending) {
      f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
    assertEquals(checkpoints, aligned);
    for (int p = 0; p < channelCount; p++) {
      assertEquals(checkpoints * (1 + p * 3), nextSeq[p]);
    }
  }

  @Test
  public void aGatesChannelsMustShareTheAttempt() {
    GrpcDataExchange consumer = exchange();
    try {
      consumer.openGate(
          List.of(new ChannelId("job", 0, 22, 0, 0), new ChannelId("job", 1, 22, 1, 0)));
      fail("one gate serves one attempt");
    } catch (IllegalArgumentException expected) {
      assertThat(expected.getMessage(), containsString("attempt"));
    }
  }

  /** Not a timing assertion: moves 32 KiB batches through loopback and logs the rate. */
  @Test
  public void loopbackTransferOfManyLargeBatchesDeliversEveryByte() throws Exception {
    GrpcDataExchange consumer = exchange();
    GrpcDataExchange producer = exchange();
    ChannelId id = new ChannelId("bulk", 10, 0, 0);
    InputGate gate = consumer.openGate(List.of(id));
    int batchBytes = 32 * 1024;
    int batches = Integer.getInteger("weir.exchange.benchBatches", 4096);
    byte[] template = bytes(42, batchBytes);

    long start = System.nanoTime();
    Future<?> sending = threads.submit(() -> {
      try (ChannelWriter w = producer.openWriter(id, consumer.address())) {
        for (int i = 0; i < batches; i++) {
          byte[] payload = template.clone(); // a producer hands over a fresh array per batch
          ByteBuffer.wrap(payload).putInt(i);
          w.send(new DataBatch(payload, 1));
        }
        w.send(EndOfInput.INSTANCE);
      }
      return null;
    });
    int seen = 0;
    long bytes = 0;
    while (true) {
      GateEvent e = gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertNotNull(e);
      if (e.event() instanceof EndOfInput) {
        break;
      }
      byte[] payload = ((DataBatch) e.event()).payload();
      assertEquals(seen, ByteBuffer.wrap(payload).getInt());
      assertEquals(batchBytes, payload.length);
      assertEquals(template[batchBytes - 1], payload[batchBytes - 1]);
      bytes += payload.length;
      seen++;
    }
    long nanos = System.nanoTime() - start;
    sending.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(batches, seen);
    System.out.printf("loopback exchange: %d x %d B in %.1f ms = %.0f MB/s%n", batches,
        batchBytes, nanos / 1e6, bytes / (nanos / 1e9) / 1e6);
  }

  // ---- helpers

  private static List<ChannelEvent> drain(InputGate gate, int channels) throws Exception {
    List<ChannelEvent> out = new ArrayList<>();
    int ended = 0;
    while (ended < channels) {
      GateEvent e = gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertNotNull("no event within " + WAIT_SECONDS + "s", e);
      out.add(e.event());
      if (e.event() instanceof EndOfInput) {
        ended++;
      }
    }
    return out;
  }

  private static byte[] bytes(int seed, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (seed * 31 + i);
    }
    return b;
  }

  private static byte[] sequenced(int producer, int seq) {
    return ByteBuffer.allocate(64).putInt(producer).putInt(seq).array();
  }

  private static boolean isBlockedInSend(Thread t) {
    return isWaitingIn(t, "GrpcChannelWriter.send");
  }

  /** True if {@code t} is parked on a condition inside {@code method}. */
  private static boolean isWaitingIn(Thread t, String method) {
    if (t == null) {
      return false;
    }
    Thread.State s = t.getState();
    if (s != Thread.State.WAITING && s != Thread.State.TIMED_WAITING) {
      return false;
    }
    boolean inMethod = false;
    boolean awaiting = false;
    for (StackTraceElement f : t.getStackTrace()) {
      String frame = f.getClassName() + "." + f.getMethodName();
      awaiting |= frame.contains("ConditionObject.await");
      inMethod |= frame.endsWith(method);
    }
    return awaiting && inMethod;
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws Exception {
    awaitTrue(condition, () -> what);
  }

  private static void awaitTrue(BooleanSupplier condition, Supplier<String> what)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + WAIT_SECONDS + "s: " + what.get());
      }
      Thread.sleep(5);
    }
  }

  private static Throwable failureOf(Future<?> f) throws Exception {
    try {
      f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
    fail("expected a failure");
    return null;
  }

  private static List<Thread> exchangeThreads() {
    List<Thread> out = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith("weir-exchange")) {
        out.add(t);
      }
    }
    return out;
  }

  private static List<Thread> newThreads(List<Thread> now, List<Thread> before) {
    List<Thread> out = new ArrayList<>(now);
    out.removeAll(before);
    return out;
  }

  private static List<Thread> liveThreads(boolean daemon) {
    List<Thread> out = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.isDaemon() == daemon) {
        out.add(t);
      }
    }
    return out;
  }
}
