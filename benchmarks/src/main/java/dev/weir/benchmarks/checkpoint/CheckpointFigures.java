package dev.weir.benchmarks.checkpoint;

/**
 * What one checkpoint of one backend cost.
 *
 * @param checkpointId the checkpoint's id; the first is a full checkpoint
 * @param changedKeys keys written since the previous checkpoint (all of them for the first)
 * @param syncNanos the synchronous part, on the task's thread: the backend's local snapshot
 * @param uploadNanos the asynchronous part: uploading the snapshot's new files
 * @param completeNanos writing the metadata and applying retention, as the coordinator does
 * @param stateBytes bytes of the local snapshot: the whole state as the backend stores it
 * @param stateFiles files of the local snapshot
 * @param uploadedBytes bytes this checkpoint copied to storage
 * @param uploadedFiles files it copied
 * @param reusedFiles files it referenced from the previous completed checkpoint instead
 * @param largestUploadedBytes its largest copied file
 * @param storageBytes bytes in the job's storage directory after retention
 */
public record CheckpointFigures(
    long checkpointId,
    long changedKeys,
    long syncNanos,
    long uploadNanos,
    long completeNanos,
    long stateBytes,
    int stateFiles,
    long uploadedBytes,
    int uploadedFiles,
    int reusedFiles,
    long largestUploadedBytes,
    long storageBytes) {

  /** Uploaded bytes as a fraction of the state's bytes. */
  public double uploadedFraction() {
    return stateBytes == 0 ? 0 : (double) uploadedBytes / stateBytes;
  }
}
