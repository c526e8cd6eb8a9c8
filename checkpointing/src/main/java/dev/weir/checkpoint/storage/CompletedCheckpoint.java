package dev.weir.checkpoint.storage;

import dev.weir.checkpoint.proto.CheckpointMetadata;

/**
 * A checkpoint or savepoint whose {@code _metadata} exists and was read back intact.
 *
 * @param location the URI of its directory, for logs and for people
 */
public record CompletedCheckpoint(long id, String location, CheckpointMetadata metadata) {}
