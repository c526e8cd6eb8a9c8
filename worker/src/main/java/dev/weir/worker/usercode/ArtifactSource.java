package dev.weir.worker.usercode;

/**
 * Where a worker fetches the artifacts it has not cached: in a cluster of processes the
 * coordinator's {@code Artifacts} service, over the worker's authenticated control channel.
 */
public interface ArtifactSource {

  /** Up to {@code maxBytes} bytes of the artifact {@code sha256} from {@code offset} on. */
  byte[] read(String sha256, long offset, int maxBytes);

  /** A worker with no source: a job that staged artifacts cannot run on it. */
  ArtifactSource NONE =
      (sha256, offset, maxBytes) -> {
        throw new IllegalStateException(
            "This worker has no artifact source: a job with staged jars cannot run on it");
      };
}
