package dev.weir.benchmarks.latency;

import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Instant;

/** Records, per element, the time from its creation (its event timestamp) to here. */
final class RecordLatencyFn extends DoFn<KV<Long, Long>, Void> {
  @ProcessElement
  public void process(@Timestamp Instant created) {
    LatencyRecorder.record(System.currentTimeMillis() - created.getMillis());
  }
}
