package dev.weir.checkpoint.storage;

import dev.weir.checkpoint.proto.StateHandle;

/**
 * A local snapshot once uploaded: the handle to put in the subtask's acknowledgement, and how much
 * went over the wire.
 *
 * @param uploadedFiles files copied to storage by this upload
 * @param uploadedBytes their bytes
 * @param reusedFiles shared files an earlier completed checkpoint uploaded, referenced again
 */
public record UploadResult(
    StateHandle handle, int uploadedFiles, long uploadedBytes, int reusedFiles) {}
