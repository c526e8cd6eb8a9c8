/**
 * KafkaIO on Weir against a real Kafka broker that the tests start in-process (KRaft, loopback):
 * the windowed count from topic to topic, bounded and unbounded, KafkaIO's checkpoint marks in
 * Weir's reader position, and what committing offsets on finalization means while Weir has no
 * checkpoints.
 */
package dev.weir.kafka;
