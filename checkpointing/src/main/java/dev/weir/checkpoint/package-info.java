/**
 * Aligned checkpoints. {@link dev.weir.checkpoint.storage} stores them over Hadoop's FileSystem
 * (local disk, HDFS, S3); {@code dev.weir.checkpoint.proto} holds their stored metadata and the
 * protobuf control messages (trigger, acknowledge, outcome, restore); this package has the options
 * that coordinator and workers read.
 */
package dev.weir.checkpoint;
