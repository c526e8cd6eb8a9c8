package dev.weir.benchmarks.recovery;

import org.apache.beam.sdk.transforms.DoFn;

/**
 * Passes sequence numbers on; those from {@code fill} on are paced at about {@code perSecond} per
 * subtask. The numbers below {@code fill} write every key once, as fast as the job goes (the state
 * grows to its full size); after that a trickle keeps updating keys and producing output, so the
 * checkpoints are small and the first output after a restart comes as soon as the job runs again.
 */
final class PaceAfterFillFn extends DoFn<Long, Long> {
  private final long fill;
  private final long pauseNanos;
  private transient long nextNanos;

  PaceAfterFillFn(long fill, int perSecond) {
    this.fill = fill;
    this.pauseNanos = 1_000_000_000L / Math.max(1, perSecond);
  }

  @ProcessElement
  public void process(@Element Long n, OutputReceiver<Long> out) throws InterruptedException {
    if (n >= fill) {
      // Sleeping here holds the source back: it runs in the same subtask, on the same thread.
      long now = System.nanoTime();
      if (nextNanos - now > 0) {
        Thread.sleep((nextNanos - now) / 1_000_000, (int) ((nextNanos - now) % 1_000_000));
        now = nextNanos;
      }
      nextNanos = now + pauseNanos;
    }
    out.output(n);
  }
}
