package dev.weir.worker.exchange;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.fail;

import dev.weir.worker.exchange.ChannelEvent.DataBatch;
import dev.weir.worker.exchange.ChannelEvent.EndOfInput;
import dev.weir.worker.exchange.InputGate.GateEvent;
import dev.weir.worker.security.ClusterCredentials;
import dev.weir.worker.security.ClusterSecurity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * Data exchange endpoints with security on: those of one cluster stream to each other over mutual
 * TLS; a producer holding another cluster's credentials is refused before its stream reaches any
 * gate.
 */
public class SecuredDataExchangeTest {
  private static final long WAIT_SECONDS = 30;
  private static final ClusterCredentials CLUSTER = ClusterCredentials.generate(Duration.ofDays(1));

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
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

  private GrpcDataExchange exchange(ClusterSecurity security) {
    GrpcDataExchange ex = GrpcDataExchange.start(0, ExchangeConfig.defaults(), security);
    toClose.add(ex);
    return ex;
  }

  @Test
  public void endpointsOfOneClusterExchangeEventsOverMutualTls() throws Exception {
    ClusterSecurity security = ClusterSecurity.of(CLUSTER);
    GrpcDataExchange consumer = exchange(security);
    GrpcDataExchange producer = exchange(security);
    ChannelId id = new ChannelId("job", 1, 0, 0);
    InputGate gate = consumer.openGate(List.of(id));
    Future<?> sending =
        threads.submit(
            () -> {
              try (ChannelWriter w = producer.openWriter(id, consumer.address())) {
                for (int i = 0; i < 20; i++) {
                  w.send(new DataBatch(new byte[] {(byte) i}, 1));
                }
                w.send(EndOfInput.INSTANCE);
              }
              return null;
            });
    for (int i = 0; i < 20; i++) {
      GateEvent e = gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertNotNull("no event within " + WAIT_SECONDS + "s", e);
      assertEquals(i, ((DataBatch) e.event()).payload()[0]);
    }
    GateEvent end = gate.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(end);
    assertEquals(EndOfInput.INSTANCE, end.event());
    sending.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  public void aProducerOfAnotherClusterIsRefusedAndNothingReachesTheGate() throws Exception {
    GrpcDataExchange consumer = exchange(ClusterSecurity.of(CLUSTER));
    GrpcDataExchange intruder =
        exchange(ClusterSecurity.of(ClusterCredentials.generate(Duration.ofDays(1))));
    assertRefused(consumer, intruder);
  }

  @Test
  public void aPlaintextProducerIsRefusedAndNothingReachesTheGate() throws Exception {
    GrpcDataExchange consumer = exchange(ClusterSecurity.of(CLUSTER));
    GrpcDataExchange intruder = exchange(ClusterSecurity.plaintextInOneJvm());
    assertRefused(consumer, intruder);
  }

  @Test
  public void aProducerWithAWrongSecretIsRefusedAndNothingReachesTheGate() throws Exception {
    GrpcDataExchange consumer = exchange(ClusterSecurity.of(CLUSTER));
    GrpcDataExchange intruder = exchange(ClusterSecurity.of(CLUSTER.withSecret("guess")));
    String failure = assertRefused(consumer, intruder);
    assertThat(failure, containsString("wrong cluster secret"));
  }

  /** The intruder's send fails; the consumer's gate got nothing. Returns the failure's text. */
  private String assertRefused(GrpcDataExchange consumer, GrpcDataExchange intruder)
      throws Exception {
    ChannelId id = new ChannelId("job", 2, 0, 0);
    InputGate gate = consumer.openGate(List.of(id));
    Future<?> sending =
        threads.submit(
            () -> {
              try (ChannelWriter w = intruder.openWriter(id, consumer.address())) {
                // More than the channel's credit: a refused stream never returns any.
                for (int i = 0; i < 100; i++) {
                  w.send(new DataBatch(new byte[] {1}, 1));
                }
                w.send(EndOfInput.INSTANCE);
              }
              return null;
            });
    String failure;
    try {
      sending.get(WAIT_SECONDS, TimeUnit.SECONDS);
      fail("the intruder's events were accepted");
      return null;
    } catch (ExecutionException e) {
      failure = String.valueOf(e.getCause());
      for (Throwable t = e.getCause().getCause(); t != null; t = t.getCause()) {
        failure += " / " + t;
      }
    }
    assertNull("an event reached the gate", gate.poll(0, TimeUnit.SECONDS));
    return failure;
  }
}
