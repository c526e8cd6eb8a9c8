package dev.weir.benchmarks.state;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * The largest heap use seen during a run. Two views, because neither alone is exact: the JVM's own
 * per-pool peaks (recorded at every GC, but their sum over-counts since pools peak at different
 * times) and the used heap sampled every few milliseconds by a daemon thread (a lower bound).
 */
final class HeapPeak implements AutoCloseable {
  private static final long SAMPLE_MILLIS = 5;

  private final Thread sampler;
  private volatile boolean running = true;
  private volatile long sampledMax;

  private HeapPeak() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
    sampler = new Thread(this::sample, "heap-peak-sampler");
    sampler.setDaemon(true);
  }

  static HeapPeak start() {
    HeapPeak peak = new HeapPeak();
    peak.sampler.start();
    return peak;
  }

  private void sample() {
    while (running) {
      long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (used > sampledMax) {
        sampledMax = used;
      }
      try {
        Thread.sleep(SAMPLE_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Largest used heap seen by the sampler. */
  long sampledMaxBytes() {
    return sampledMax;
  }

  /** Sum of the heap pools' peak usage since {@link #start()}; an upper bound of the true peak. */
  long poolPeakSumBytes() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    sampler.join();
  }
}
