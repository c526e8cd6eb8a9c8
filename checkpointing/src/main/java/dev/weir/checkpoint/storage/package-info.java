/**
 * Checkpoint storage over Hadoop's {@code FileSystem} ({@code file://}, {@code hdfs://}, {@code
 * s3a://}): uploading local state snapshots incrementally, writing and validating a checkpoint's
 * {@code _metadata}, finding the newest valid checkpoint, downloading state for a restore,
 * retention, discarding failed checkpoints, and savepoints.
 *
 * <p>Layout under {@code <dir>/<job>/}: {@code shared/<n>/} holds the immutable files (RocksDB SST
 * and blob files) that checkpoint n uploaded and later checkpoints may reference; {@code chk-<n>/}
 * holds everything else of checkpoint n and, written last, its {@code _metadata}; {@code
 * savepoint-<n>/} holds a self-contained copy. A checkpoint exists once its {@code _metadata}
 * does; before that its directory is work in progress.
 */
package dev.weir.checkpoint.storage;
