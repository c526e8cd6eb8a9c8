/**
 * Aligned checkpoints: the coordinator's protocol and checkpoint storage over Hadoop FileSystem
 * (HDFS, S3). Empty until the checkpoint issue is taken; local RocksDB snapshots it will ship
 * already exist in state-internals.
 */
package dev.weir.checkpoint;
