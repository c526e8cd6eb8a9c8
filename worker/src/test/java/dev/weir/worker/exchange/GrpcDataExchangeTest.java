package dev.weir.worker.exchange;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.weir.worker.exchange.ChannelEvent.DataBatch;
import dev.weir.worker.exchange.ChannelEvent.EndOfInput;
import dev.weir.worker.exchange.ChannelEvent.Watermark;
import dev.weir.worker.exchange.InputGate.GateEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
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
    GrpcDataExchange first = GrpcDataExchange.start("127.0.0.1", 0, ExchangeConfig.defaults());
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
