package dev.weir.worker.exchange;

import dev.weir.worker.exchange.ChannelEvent.DataBatch;
import dev.weir.worker.exchange.ChannelEvent.EndOfInput;
import dev.weir.worker.exchange.InputGate.GateEvent;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Measures one loopback channel:
 * {@code java ... ExchangeThroughput [rounds] [batches] [bytes] [credits] [creditReturnBatch]}.
 * A tool, not a test: it prints MB/s per round (the first rounds include JIT warm-up).
 */
public final class ExchangeThroughput {
  private ExchangeThroughput() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int batches = args.length > 1 ? Integer.parseInt(args[1]) : 8192;
    int batchBytes = args.length > 2 ? Integer.parseInt(args[2]) : 32 * 1024;
    ExchangeConfig config = ExchangeConfig.defaults()
        .withCreditsPerChannel(args.length > 3 ? Integer.parseInt(args[3]) : 8)
        .withCreditReturnBatch(args.length > 4 ? Integer.parseInt(args[4]) : 1);
    try (GrpcDataExchange consumer = GrpcDataExchange.start("127.0.0.1", 0, config);
        GrpcDataExchange producer = GrpcDataExchange.start("127.0.0.1", 0, config)) {
      for (int round = 0; round < rounds; round++) {
        ChannelId id = new ChannelId("bench", round, 0, 0);
        InputGate gate = consumer.openGate(List.of(id));
        ChannelWriter writer = producer.openWriter(id, consumer.address());
        Thread sender = new Thread(() -> {
          try (writer) {
            for (int i = 0; i < batches; i++) {
              writer.send(new DataBatch(new byte[batchBytes], 1));
            }
            writer.send(EndOfInput.INSTANCE);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        long start = System.nanoTime();
        sender.start();
        long bytes = 0;
        while (true) {
          GateEvent e = gate.poll(30, TimeUnit.SECONDS);
          if (e == null) {
            throw new IllegalStateException("stalled");
          }
          if (e.event() instanceof EndOfInput) {
            break;
          }
          bytes += ((DataBatch) e.event()).payload().length;
        }
        long nanos = System.nanoTime() - start;
        sender.join();
        gate.close();
        System.out.printf("round %d: %d x %d B, %.0f MB/s%n", round, batches, batchBytes,
            bytes / (nanos / 1e9) / 1e6);
      }
    }
  }
}
