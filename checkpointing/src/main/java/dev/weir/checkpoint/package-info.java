/**
 * Aligned checkpoints. {@link dev.weir.checkpoint.storage} stores them over Hadoop's FileSystem
 * (local disk, HDFS, S3); {@code dev.weir.checkpoint.proto} is their stored metadata. The
 * coordinator's protocol (triggering, acknowledgements, completion) is still to be written here.
 */
package dev.weir.checkpoint;
