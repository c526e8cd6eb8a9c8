package dev.weir.worker.task;

import com.google.protobuf.ByteString;
import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.DeclineCheckpoint;
import dev.weir.checkpoint.proto.NamedBytes;
import dev.weir.checkpoint.proto.StateFile;
import dev.weir.checkpoint.proto.SubtaskState;
import dev.weir.checkpoint.storage.CheckpointStorage;
import dev.weir.checkpoint.storage.OperatorSubtask;
import dev.weir.checkpoint.storage.SnapshotUploader;
import dev.weir.checkpoint.storage.UploadResult;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyedStateBackend;
import dev.weir.worker.exchange.ChannelEvent;
import dev.weir.worker.operators.StageOperator;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a subtask's part of a checkpoint. On the subtask's thread (the synchronous part): ends the
 * bundle, so nothing of the input before the barrier is still inside an operator; asks each
 * operator for its named entries; snapshots each keyed state backend to a local directory; and
 * sends the barrier on every output channel, behind everything the subtask produced before it.
 * Then, on an upload thread, stores the local snapshots in the job's checkpoint storage and
 * acknowledges the checkpoint to the listener, or declines it on any failure.
 *
 * <p>Also carries a checkpoint's outcome to the operators ({@link
 * StageOperator#notifyCheckpointComplete}) and to the uploaders, which reuse the files of completed
 * checkpoints only.
 */
final class SubtaskCheckpointer {
  private static final Logger LOG = LoggerFactory.getLogger(SubtaskCheckpointer.class);

  private final TaskId task;
  private final List<String> operatorNames;
  private final List<StageOperator> operators;
  private final OperatorBackends backends;
  private final KeyGroupRange keyGroups;
  private final CurrentBundle bundle;
  private final ControlEventOutput outputs;
  private final StateBackendFactory backendFactory;
  private final CheckpointUploads uploads;
  private final @Nullable String checkpointDir;
  private final TaskListener listener;
  private final MetricsContainerStepMap metrics;

  // Opened by the first upload; the uploaders keep what completed checkpoints stored, for reuse.
  private volatile @Nullable CheckpointStorage storage;
  private final Map<String, SnapshotUploader> uploaders = new ConcurrentHashMap<>();
  private final Set<CompletableFuture<Void>> inFlight = ConcurrentHashMap.newKeySet();
  private final Set<Long> aborted = ConcurrentHashMap.newKeySet();
  private volatile @Nullable Path localRoot;
  // The newest checkpoint this subtask took; only the subtask's thread uses it.
  private long newestTaken = -1;

  SubtaskCheckpointer(
      TaskId task,
      List<String> operatorNames,
      List<StageOperator> operators,
      OperatorBackends backends,
      KeyGroupRange keyGroups,
      CurrentBundle bundle,
      ControlEventOutput outputs,
      StateBackendFactory backendFactory,
      CheckpointUploads uploads,
      @Nullable String checkpointDir,
      TaskListener listener,
      MetricsContainerStepMap metrics) {
    if (operatorNames.size() != operators.size()) {
      throw new IllegalArgumentException(operatorNames + " do not name " + operators);
    }
    this.task = task;
    this.operatorNames = List.copyOf(operatorNames);
    this.operators = List.copyOf(operators);
    this.backends = backends;
    this.keyGroups = keyGroups;
    this.bundle = bundle;
    this.outputs = outputs;
    this.backendFactory = backendFactory;
    this.uploads = uploads;
    this.checkpointDir = checkpointDir;
    this.listener = listener;
    this.metrics = metrics;
  }

  /**
   * Takes checkpoint {@code checkpointId} now, on the subtask's thread: everything this subtask
   * processed so far is in it, nothing it processes later is. Does nothing for a checkpoint it
   * took already, one older than that, or one already aborted: a subtask whose input ended may
   * hear the trigger of a checkpoint whose barrier it has taken.
   */
  void checkpoint(long checkpointId) throws InterruptedException {
    checkpoint(checkpointId, System.currentTimeMillis(), 0);
  }

  /**
   * As {@link #checkpoint(long)}, after aligning the input channels' barriers: the first arrived
   * at {@code startedAtMillis} (wall clock), the last {@code alignmentMillis} later.
   */
  void checkpoint(long checkpointId, long startedAtMillis, long alignmentMillis)
      throws InterruptedException {
    if (checkpointId <= newestTaken || aborted.contains(checkpointId)) {
      return;
    }
    newestTaken = checkpointId;
    long start = System.nanoTime();
    // Invariant 6: the bundle ends before the snapshot, so its effects (outputs, state, timers)
    // are all on the near side of the barrier. A user exception here fails the subtask.
    bundle.end();
    Map<String, List<NamedBytes>> entries = new LinkedHashMap<>();
    Map<String, Path> snapshots = new LinkedHashMap<>();
    Path local = null;
    Throwable failure = null;
    try {
      for (int i = 0; i < operators.size(); i++) {
        entries.put(operatorNames.get(i), named(operators.get(i).snapshotState(checkpointId)));
      }
      for (int i = 0; i < operatorNames.size(); i++) {
        KeyedStateBackend backend = backends.of(operatorNames.get(i));
        if (backend != null) {
          if (local == null) {
            local = Files.createDirectories(localRoot()).resolve("chk-" + checkpointId);
            Files.createDirectory(local);
          }
          Path target = local.resolve(Integer.toString(i));
          backend.snapshot(target);
          snapshots.put(operatorNames.get(i), target);
        }
      }
    } catch (IOException | RuntimeException e) {
      failure = e;
    }
    // What the subtask counted up to the barrier: the job's committed metrics once the checkpoint
    // completes. Read here, on the subtask's thread, as nothing counts meanwhile.
    List<ByteString> countedSoFar = MonitoringInfoBytes.encode(metrics);
    // Downstream aligns on the barrier whatever happened here; a declined checkpoint is aborted
    // by the coordinator, and a missing barrier would hold the consumers' channels until the next.
    outputs.send(new ChannelEvent.CheckpointBarrier(checkpointId));
    long syncMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    if (failure == null && checkpointDir == null) {
      failure = new IllegalStateException("no --checkpointDir to store checkpoints in");
    }
    if (failure != null) {
      decline(checkpointId, "The snapshot failed: " + failure);
      LOG.warn("Checkpoint {} of {} failed", checkpointId, task, failure);
      if (local != null) {
        LocalFiles.deleteQuietly(local);
      }
      return;
    }
    Path localDir = local;
    CompletableFuture<Void> upload = new CompletableFuture<>();
    inFlight.add(upload);
    upload.whenComplete((ok, e) -> inFlight.remove(upload));
    try {
      uploads.execute(
          () -> {
            try {
              upload(
                  checkpointId,
                  entries,
                  snapshots,
                  countedSoFar,
                  syncMillis,
                  startedAtMillis,
                  alignmentMillis);
            } finally {
              if (localDir != null) {
                LocalFiles.deleteQuietly(localDir);
              }
              upload.complete(null);
            }
          });
    } catch (RejectedExecutionException e) {
      upload.complete(null);
      decline(checkpointId, "Too many checkpoint uploads are waiting on this worker");
      if (localDir != null) {
        LocalFiles.deleteQuietly(localDir);
      }
    }
  }

  /**
   * The entries as messages, sorted by name so the same state acknowledges as the same bytes;
   * copied now, on the subtask's thread, as the operator may reuse its arrays afterwards.
   */
  private static List<NamedBytes> named(Map<String, byte[]> entries) {
    List<NamedBytes> named = new ArrayList<>();
    for (Map.Entry<String, byte[]> entry : new TreeMap<>(entries).entrySet()) {
      named.add(
          NamedBytes.newBuilder()
              .setName(entry.getKey())
              .setValue(ByteString.copyFrom(entry.getValue()))
              .build());
    }
    return named;
  }

  private Path localRoot() throws IOException {
    if (localRoot == null) {
      localRoot =
          Files.createTempDirectory(
              backendFactory.snapshotParent(),
              "weir-snapshots-stage" + task.stage() + "-" + task.subtask() + "-");
    }
    return localRoot;
  }

  /** On an upload thread. */
  private void upload(
      long checkpointId,
      Map<String, List<NamedBytes>> entries,
      Map<String, Path> snapshots,
      List<ByteString> countedSoFar,
      long syncMillis,
      long startedAtMillis,
      long alignmentMillis) {
    if (aborted.contains(checkpointId)) {
      return;
    }
    long start = System.nanoTime();
    try {
      AcknowledgeCheckpoint.Builder ack =
          AcknowledgeCheckpoint.newBuilder()
              .setJobId(task.jobId())
              .setAttempt(task.attempt())
              .setStage(task.stage())
              .setSubtask(task.subtask())
              .setCheckpointId(checkpointId)
              .setSyncDurationMillis(syncMillis)
              .setStartedAtMillis(startedAtMillis)
              .setAlignmentDurationMillis(alignmentMillis)
              .addAllMetrics(countedSoFar);
      long uploadedBytes = 0;
      long stateBytes = 0;
      for (String name : operatorNames) {
        List<NamedBytes> named = entries.get(name);
        Path snapshot = snapshots.get(name);
        if (named.isEmpty() && snapshot == null) {
          continue;
        }
        SubtaskState.Builder state =
            SubtaskState.newBuilder()
                .setOperatorId(name)
                .setSubtaskIndex(task.subtask())
                .addAllEntries(named);
        if (snapshot != null) {
          UploadResult uploaded =
              uploader(name).upload(checkpointId, snapshot, backendFactory.snapshotFormat());
          uploadedBytes += uploaded.uploadedBytes();
          for (StateFile file : uploaded.handle().getFilesList()) {
            stateBytes += file.getSizeBytes();
          }
          state
              .setKeyGroups(
                  dev.weir.checkpoint.proto.KeyGroupRange.newBuilder()
                      .setStart(keyGroups.start())
                      .setEnd(keyGroups.end()))
              .setKeyedState(uploaded.handle());
        }
        ack.addOperators(state);
      }
      ack.setAsyncDurationMillis(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
          .setUploadedBytes(uploadedBytes)
          .setStateBytes(stateBytes);
      if (!aborted.contains(checkpointId)) {
        listener.checkpointAcknowledged(task, ack.build());
      }
    } catch (IOException | RuntimeException | LinkageError e) {
      // A linkage error (a class that cannot load on this worker) would otherwise vanish with the
      // upload thread's task, and the checkpoint would wait out its timeout with no reason given.
      LOG.warn("Uploading checkpoint {} of {} failed", checkpointId, task, e);
      decline(checkpointId, "The upload failed: " + e);
    }
  }

  private SnapshotUploader uploader(String operatorName) throws IOException {
    SnapshotUploader uploader = uploaders.get(operatorName);
    if (uploader == null) {
      uploader =
          storage().uploader(new OperatorSubtask(operatorName, task.subtask()));
      SnapshotUploader raced = uploaders.putIfAbsent(operatorName, uploader);
      if (raced != null) {
        uploader = raced;
      }
    }
    return uploader;
  }

  private synchronized CheckpointStorage storage() throws IOException {
    CheckpointStorage opened = storage;
    if (opened == null) {
      opened = CheckpointStorage.open(URI.create(checkpointDir), task.jobId(), Map.of());
      storage = opened;
    }
    return opened;
  }

  /** Tells the coordinator this subtask cannot take checkpoint {@code checkpointId}. */
  void decline(long checkpointId, String reason) {
    listener.checkpointDeclined(
        task,
        DeclineCheckpoint.newBuilder()
            .setJobId(task.jobId())
            .setAttempt(task.attempt())
            .setStage(task.stage())
            .setSubtask(task.subtask())
            .setCheckpointId(checkpointId)
            .setReason(reason)
            .build());
  }

  /**
   * Checkpoint {@code checkpointId} completed: later uploads may reuse its files, and the
   * operators do what had to wait for it. On the subtask's thread, between bundles.
   */
  void completed(long checkpointId) {
    for (SnapshotUploader uploader : uploaders.values()) {
      uploader.checkpointComplete(checkpointId);
    }
    // Operators hear of it between bundles, as StageOperator promises.
    bundle.end();
    for (StageOperator op : operators) {
      op.notifyCheckpointComplete(checkpointId);
    }
    // An operator may emit now (stable input released): send it on as its own bundle.
    bundle.end();
  }

  /**
   * Checkpoint {@code checkpointId} was aborted: its upload, if it has not started, is dropped
   * with its local files, its files are never reused, and the operators hear of it between
   * bundles.
   */
  void aborted(long checkpointId) {
    aborted.add(checkpointId);
    for (SnapshotUploader uploader : uploaders.values()) {
      uploader.checkpointAborted(checkpointId);
    }
    bundle.end();
    for (StageOperator op : operators) {
      op.notifyCheckpointAborted(checkpointId);
    }
    bundle.end();
  }

  /**
   * A checkpoint failed because a file it referenced was unusable: the next upload of every
   * backend stores all its files again.
   */
  void reuploadSharedFiles() {
    for (SnapshotUploader uploader : uploaders.values()) {
      uploader.forgetUploadedFiles();
    }
  }

  /**
   * Waits until every upload started so far has acknowledged or declined, so the coordinator
   * hears of a checkpoint the subtask took before it hears that the subtask finished.
   */
  void awaitUploads() throws InterruptedException {
    List<CompletableFuture<Void>> pending = new ArrayList<>(inFlight);
    for (CompletableFuture<Void> upload : pending) {
      try {
        upload.get();
      } catch (java.util.concurrent.ExecutionException e) {
        // The upload reported its failure as a decline.
      }
    }
  }

  /** Releases the storage once the uploads in flight are done, and the local snapshot root. */
  void close() {
    CompletableFuture.allOf(inFlight.toArray(new CompletableFuture<?>[0]))
        .whenComplete(
            (ok, e) -> {
              CheckpointStorage opened = storage;
              if (opened != null) {
                try {
                  opened.close();
                } catch (IOException | RuntimeException ex) {
                  LOG.warn("Cannot close the checkpoint storage of {}", task, ex);
                }
              }
              if (localRoot != null) {
                LocalFiles.deleteQuietly(localRoot);
              }
            });
  }
}
