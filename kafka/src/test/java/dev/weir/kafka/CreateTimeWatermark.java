package dev.weir.kafka;

import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Instant;

/**
 * Event time from each record's CreateTime, and as a partition's watermark the newest CreateTime it
 * has read, never the wall clock. KafkaIO's own CreateTime policy moves an idle partition's
 * watermark to the wall clock, which makes records that arrive later with older timestamps late;
 * a test that produces while its job runs cannot tell when the reader will find the partition
 * idle, so it uses this policy and ends its input with a record stamped after every window.
 */
final class CreateTimeWatermark implements TimestampPolicyFactory<String, String> {
  private static final long serialVersionUID = 1L;

  @Override
  public TimestampPolicy<String, String> createTimestampPolicy(
      TopicPartition partition, Optional<Instant> previousWatermark) {
    return new Policy(previousWatermark.orElse(BoundedWindow.TIMESTAMP_MIN_VALUE));
  }

  private static final class Policy extends TimestampPolicy<String, String> {
    private Instant newest;

    Policy(Instant start) {
      this.newest = start;
    }

    @Override
    public Instant getTimestampForRecord(
        PartitionContext context, KafkaRecord<String, String> record) {
      Instant timestamp = new Instant(record.getTimestamp());
      if (timestamp.isAfter(newest)) {
        newest = timestamp;
      }
      return timestamp;
    }

    @Override
    public Instant getWatermark(PartitionContext context) {
      return newest;
    }
  }
}
