package dev.weir.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.protobuf.ByteString;
import dev.weir.checkpoint.coordination.PendingCheckpoint;
import dev.weir.checkpoint.coordination.StageSubtask;
import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.CheckpointMetadata;
import dev.weir.checkpoint.proto.CheckpointOutcome;
import dev.weir.checkpoint.proto.DeclineCheckpoint;
import dev.weir.checkpoint.storage.CheckpointStorage;
import dev.weir.checkpoint.storage.CorruptCheckpointException;
import dev.weir.checkpoint.storage.Verification;
import dev.weir.worker.task.SubtaskSummary;
import dev.weir.worker.task.TaskId;
import dev.weir.worker.task.TaskListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class CheckpointCoordinatorTest {
  private static final String JOB = "counting";
  private static final ByteString FINGERPRINT = ByteString.copyFromUtf8("fingerprint");
  private static final long INTERVAL = 1000;
  private static final long TIMEOUT = 5000;

  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private final ManualCheckpointTimer timer = new ManualCheckpointTimer(1_000_000);
  private CheckpointStorage storage;
  private AcknowledgingWorker first;
  private AcknowledgingWorker second;
  private CheckpointCoordinator coordinator;
  private final List<TaskId> tasks = new ArrayList<>();
  private java.util.function.Consumer<AcknowledgeCheckpoint> beforeAcknowledged = ack -> {};

  @Before
  public void setUp() throws IOException {
    storage = CheckpointStorage.open(temp.newFolder("checkpoints").toURI(), JOB, Map.of());
    first = new AcknowledgingWorker("first", temp.newFolder("first").toPath());
    second = new AcknowledgingWorker("second", temp.newFolder("second").toPath());
    first.uploadTo(storage);
    second.uploadTo(storage);
  }

  @After
  public void tearDown() throws IOException {
    if (coordinator != null) {
      coordinator.close();
    }
    storage.close();
  }

  private static CheckpointSettings settings(long minPause, int retained) {
    return new CheckpointSettings(
        INTERVAL, java.net.URI.create("file:///unused"), TIMEOUT, minPause, 3, 0, retained, null);
  }

  /** Two stages of two subtasks each, subtask i on worker i; acks go to the coordinator. */
  private void start(CheckpointSettings settings) {
    coordinator = new CheckpointCoordinator(JOB, settings, storage, FINGERPRINT, 128, timer);
    TaskListener listener =
        new TaskListener() {
          @Override
          public void checkpointAcknowledged(TaskId task, AcknowledgeCheckpoint ack) {
            beforeAcknowledged.accept(ack);
            coordinator.acknowledged(task, ack);
          }

          @Override
          public void checkpointDeclined(TaskId task, DeclineCheckpoint decline) {
            coordinator.declined(task, decline);
          }

          @Override
          public void taskFinished(TaskId task, SubtaskSummary summary) {}

          @Override
          public void taskFailed(TaskId task, Throwable cause, SubtaskSummary summary) {}
        };
    List<StageSubtask> subtasks = new ArrayList<>();
    for (int stage = 0; stage < 2; stage++) {
      for (int subtask = 0; subtask < 2; subtask++) {
        TaskId task = new TaskId(JOB, stage, subtask, 0);
        tasks.add(task);
        (subtask == 0 ? first : second).host(task, listener);
        subtasks.add(new StageSubtask(stage, subtask));
      }
    }
    coordinator.startAttempt(0, subtasks, List.of(first, second));
  }

  private static List<Long> completedIds(List<CheckpointStats> stats) {
    List<Long> ids = new ArrayList<>();
    for (CheckpointStats s : stats) {
      if (s.status() == CheckpointStats.Status.COMPLETED) {
        ids.add(s.id());
      }
    }
    return ids;
  }

  @Test
  public void triggersEveryIntervalAndWritesMetadataTheStorageReadsBack() throws IOException {
    start(settings(0, 3));

    timer.advance(INTERVAL - 1);
    assertTrue("nothing before the first interval", coordinator.checkpoints().isEmpty());
    timer.advance(1);

    List<CheckpointStats> stats = coordinator.checkpoints();
    assertEquals(1, stats.size());
    CheckpointStats taken = stats.get(0);
    assertEquals(CheckpointStats.Status.COMPLETED, taken.status());
    assertEquals(1_000_000 + INTERVAL, taken.triggeredAtMillis());
    assertTrue(taken.sizeBytes() > 0);
    assertEquals(taken.sizeBytes(), taken.incrementalSizeBytes());
    long longestSync = 0;
    for (TaskId task : tasks) {
      longestSync = Math.max(longestSync, AcknowledgingWorker.syncMillis(task));
    }
    assertEquals(21, longestSync);
    assertEquals(longestSync, taken.maxSyncMillis());
    assertEquals(10 * longestSync, taken.maxAsyncMillis());
    CheckpointMetadata metadata = storage.readCheckpoint(taken.id()).metadata();
    assertEquals(1, metadata.getFormatVersion());
    assertEquals(JOB, metadata.getJobId());
    assertEquals(FINGERPRINT, metadata.getPlanFingerprint());
    assertEquals(4, metadata.getSubtasksCount());
    assertEquals(taken.triggeredAtMillis(), metadata.getTriggeredAtMillis());
    storage.verify(storage.readCheckpoint(taken.id()), Verification.CHECKSUMS);
    assertEquals(List.of(outcome(taken.id(), true)), first.outcomes);
    assertEquals(List.of(outcome(taken.id(), true)), second.outcomes);

    timer.advance(INTERVAL);
    assertEquals(2, completedIds(coordinator.checkpoints()).size());
    assertTrue(
        "ids grow", coordinator.checkpoints().get(1).id() > coordinator.checkpoints().get(0).id());
  }

  private static CheckpointOutcome outcome(long id, boolean completed) {
    return CheckpointOutcome.newBuilder()
        .setJobId(JOB)
        .setAttempt(0)
        .setCheckpointId(id)
        .setCompleted(completed)
        .build();
  }

  /**
   * A checkpoint's timeout stays queued until it is due (10 minutes by default), 600 of them with
   * 1 s checkpoints: it must not hold the completed checkpoint and its acknowledgements.
   */
  @Test
  public void queuedTimeoutsDoNotHoldCompletedCheckpoints() throws Exception {
    start(settings(0, 3));

    timer.advance(5 * INTERVAL);

    assertEquals(5, completedIds(coordinator.checkpoints()).size());
    List<Runnable> queued = timer.queued();
    assertTrue("the timeouts are still queued: " + queued.size(), queued.size() >= 5);
    for (Runnable task : queued) {
      for (java.lang.reflect.Field field : task.getClass().getDeclaredFields()) {
        field.setAccessible(true);
        Object captured = field.get(task);
        assertFalse(
            task + " holds " + captured,
            captured instanceof dev.weir.checkpoint.coordination.PendingCheckpoint);
      }
    }
  }

  @Test
  public void retentionKeepsTheNewestRetainedCheckpoints() throws IOException {
    start(settings(0, 3));

    timer.advance(5 * INTERVAL);

    List<Long> completed = completedIds(coordinator.checkpoints());
    assertEquals(5, completed.size());
    assertEquals(completed.subList(2, 5), storage.checkpointIds());
    assertEquals((long) completed.get(4), coordinator.latestCompleted().getAsLong());
    assertThrows(CorruptCheckpointException.class, () -> storage.readCheckpoint(completed.get(0)));
  }

  @Test
  public void aCheckpointThatTimesOutIsDiscardedAndTheWorkersTold() throws IOException {
    start(settings(0, 3));
    second.silence(tasks.get(3));

    timer.advance(INTERVAL);
    assertTrue("in flight, not yet ended", coordinator.checkpoints().isEmpty());
    long id = storage.checkpointIds().get(0);
    timer.advance(TIMEOUT);

    List<CheckpointStats> stats = coordinator.checkpoints();
    assertEquals(1, stats.size());
    assertEquals(CheckpointStats.Status.ABORTED, stats.get(0).status());
    assertEquals(id, stats.get(0).id());
    assertThat(stats.get(0).failureReason(), containsString("timed out"));
    assertThat(stats.get(0).failureReason(), containsString("stage1/1"));
    assertEquals(TIMEOUT, stats.get(0).durationMillis());
    assertFalse("its files are removed", storage.checkpointIds().contains(id));
    assertEquals(List.of(outcome(id, false)), first.outcomes);
  }

  @Test
  public void aCheckpointNamingAMissingFileIsAbortedAndTheWorkersToldToUploadEverythingAgain()
      throws IOException {
    start(settings(0, 3));
    // The last acknowledgement names a file that is gone by the time the checkpoint completes.
    beforeAcknowledged =
        ack -> {
          if (ack.getStage() == 1 && ack.getSubtask() == 1) {
            for (var file : ack.getOperators(0).getKeyedState().getFilesList()) {
              try {
                java.nio.file.Files.delete(
                    temp.getRoot()
                        .toPath()
                        .resolve("checkpoints")
                        .resolve(JOB)
                        .resolve(file.getPath()));
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
          }
        };

    timer.advance(INTERVAL);

    List<CheckpointStats> stats = coordinator.checkpoints();
    assertEquals(1, stats.size());
    assertEquals(CheckpointStats.Status.ABORTED, stats.get(0).status());
    assertThat(stats.get(0).failureReason(), containsString("missing file"));
    CheckpointOutcome told = first.outcomes.get(0);
    assertFalse(told.getCompleted());
    assertTrue("told to upload everything again", told.getReuploadSharedFiles());

    beforeAcknowledged = ack -> {};
    timer.advance(INTERVAL);
    assertEquals(CheckpointStats.Status.COMPLETED, coordinator.checkpoints().get(1).status());
    assertFalse(first.outcomes.get(1).getReuploadSharedFiles());
  }

  @Test
  public void onlyOneCheckpointIsInFlightAndTheNextFollowsItsEnd() {
    start(settings(0, 3));
    second.silence(tasks.get(3));

    // Triggered at 1 interval, timed out 5 intervals later: no trigger in between.
    timer.advance(INTERVAL + TIMEOUT - 1);
    assertTrue(coordinator.checkpoints().isEmpty());
    timer.advance(1);
    assertEquals(1, coordinator.checkpoints().size());
    // The next one is due at once (its interval passed long ago) and times out again.
    timer.advance(TIMEOUT);
    assertEquals(2, coordinator.checkpoints().size());
  }

  @Test
  public void theMinimalPauseSeparatesTheEndOfOneCheckpointFromTheNext() {
    start(settings(2500, 3));

    timer.advance(INTERVAL);
    assertEquals(1, coordinator.checkpoints().size());
    timer.advance(2499);
    assertEquals(1, coordinator.checkpoints().size());
    timer.advance(1);
    assertEquals(2, coordinator.checkpoints().size());
    assertEquals(
        2500,
        coordinator.checkpoints().get(1).triggeredAtMillis()
            - coordinator.checkpoints().get(0).triggeredAtMillis());
  }

  @Test
  public void aDeclineAbortsTheCheckpointNamingTheSubtask() throws IOException {
    start(settings(0, 3));
    second.silence(tasks.get(3));
    timer.advance(INTERVAL);

    long id = storage.checkpointIds().get(0);
    coordinator.declined(
        tasks.get(3),
        DeclineCheckpoint.newBuilder()
            .setJobId(JOB)
            .setCheckpointId(id)
            .setStage(1)
            .setSubtask(1)
            .setReason("backend closed")
            .build());

    CheckpointStats aborted = coordinator.checkpoints().get(0);
    assertEquals(CheckpointStats.Status.ABORTED, aborted.status());
    assertThat(aborted.failureReason(), containsString("backend closed"));
    assertEquals(List.of(outcome(aborted.id(), false)), second.outcomes);
  }

  @Test
  public void subtasksThatFinishedCountAsAcknowledgedWithNoState() throws IOException {
    start(settings(0, 3));
    // The sources ended before the checkpoint; a consumer ends while it is in flight.
    first.silence(tasks.get(0));
    second.silence(tasks.get(1));
    coordinator.subtaskFinished(tasks.get(0), List.of());
    coordinator.subtaskFinished(tasks.get(1), List.of());
    second.silence(tasks.get(3));

    timer.advance(INTERVAL);
    assertTrue(coordinator.checkpoints().isEmpty());
    coordinator.subtaskFinished(tasks.get(3), List.of());

    CheckpointStats completed = coordinator.checkpoints().get(0);
    assertEquals(CheckpointStats.Status.COMPLETED, completed.status());
    CheckpointMetadata metadata = storage.readCheckpoint(completed.id()).metadata();
    assertEquals(1, metadata.getSubtasksCount());
    assertEquals(
        Set.of(new StageSubtask(0, 0), new StageSubtask(0, 1), new StageSubtask(1, 1)),
        PendingCheckpoint.finishedSubtasks(metadata));
  }

  @Test
  public void whenEverySubtaskFinishedNoCheckpointIsTriggered() {
    start(settings(0, 3));
    for (TaskId task : tasks) {
      coordinator.subtaskFinished(task, List.of());
    }
    timer.advance(3 * INTERVAL);
    assertTrue(coordinator.checkpoints().isEmpty());
  }

  @Test
  public void stoppingTheAttemptAbortsTheCheckpointInFlightAndStopsTriggering() throws IOException {
    start(settings(0, 3));
    second.silence(tasks.get(3));
    timer.advance(INTERVAL);

    coordinator.stopAttempt("attempt 0 failed");
    timer.advance(10 * TIMEOUT);

    List<CheckpointStats> stats = coordinator.checkpoints();
    assertEquals(1, stats.size());
    assertEquals("attempt 0 failed", stats.get(0).failureReason());
    assertTrue(storage.checkpointIds().isEmpty());
  }

  /**
   * The job's own timer, with acknowledgements arriving on other threads as a worker's uploads do:
   * checkpoints follow one another. Waits for a condition with a generous bound only.
   */
  @Test
  public void onTheSystemTimerCheckpointsFollowOneAnother() throws Exception {
    java.util.concurrent.ExecutorService uploads =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    CheckpointCoordinator[] holder = new CheckpointCoordinator[1];
    AcknowledgingWorker asynchronous =
        new AcknowledgingWorker("async", temp.newFolder("async").toPath()) {
          @Override
          public void triggerCheckpoint(dev.weir.checkpoint.proto.TriggerCheckpoint trigger) {
            uploads.execute(() -> super.triggerCheckpoint(trigger));
          }
        };
    asynchronous.uploadTo(storage);
    try {
      CheckpointCoordinator running =
          new CheckpointCoordinator(
              JOB,
              new CheckpointSettings(
                  10, java.net.URI.create("file:///unused"), 60_000, 0, 3, 0, 2, null),
              storage,
              FINGERPRINT,
              128,
              CheckpointTimer.system(JOB));
      holder[0] = running;
      coordinator = running;
      TaskListener listener =
          new TaskListener() {
            @Override
            public void checkpointAcknowledged(TaskId task, AcknowledgeCheckpoint ack) {
              holder[0].acknowledged(task, ack);
            }

            @Override
            public void taskFinished(TaskId task, SubtaskSummary summary) {}

            @Override
            public void taskFailed(TaskId task, Throwable cause, SubtaskSummary summary) {}
          };
      List<StageSubtask> subtasks = new ArrayList<>();
      for (int subtask = 0; subtask < 3; subtask++) {
        asynchronous.host(new TaskId(JOB, 0, subtask, 0), listener);
        subtasks.add(new StageSubtask(0, subtask));
      }
      running.startAttempt(0, subtasks, List.of(asynchronous));

      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      while (completedIds(running.checkpoints()).size() < 3) {
        assertTrue("3 checkpoints within 60 s", System.nanoTime() < deadline);
        Thread.sleep(10);
      }
      running.close();

      List<Long> completed = completedIds(running.checkpoints());
      for (int i = 1; i < completed.size(); i++) {
        assertTrue(completed.get(i) > completed.get(i - 1));
      }
      assertEquals(
          2,
          storage.checkpointIds().stream()
              .filter(
                  id -> {
                    try {
                      storage.readCheckpoint(id);
                      return true;
                    } catch (IOException e) {
                      return false;
                    }
                  })
              .count());
    } finally {
      uploads.shutdownNow();
    }
  }
}
