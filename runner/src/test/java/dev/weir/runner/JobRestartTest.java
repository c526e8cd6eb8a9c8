package dev.weir.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.weir.checkpoint.proto.OperatorRestore;
import dev.weir.checkpoint.proto.SubtaskRestore;
import dev.weir.checkpoint.storage.CheckpointStorage;
import dev.weir.translation.ExecutionPlan;
import dev.weir.translation.PipelineTranslator;
import dev.weir.translation.TransformOverrides;
import dev.weir.worker.task.SubtaskSummary;
import dev.weir.worker.task.TaskDeployment;
import dev.weir.worker.task.TaskId;
import dev.weir.worker.task.TaskListener;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Attempts and restarts of {@link JobCoordinator}, with workers that run nothing but report. */
public class JobRestartTest {
  private static final long WAIT_MILLIS = 30_000;
  private static final long INTERVAL = 1000;

  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private final ManualCheckpointTimer timer = new ManualCheckpointTimer(5_000_000);
  private final List<CheckpointStorage> opened = new ArrayList<>();
  private ExecutionPlan plan;
  private AcknowledgingWorker first;
  private AcknowledgingWorker second;
  private URI checkpointDir;

  @Before
  public void setUp() throws IOException {
    Pipeline pipeline = Pipeline.create(PipelineOptionsFactory.create());
    pipeline
        .apply(Create.of("a", "b", "a", "c"))
        .apply(
            MapElements.into(
                    TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.integers()))
                .via(word -> KV.of(word, 1)))
        .apply("CountPerWord", Count.perKey());
    TransformOverrides.apply(pipeline);
    plan = PipelineTranslator.translate(pipeline, "restart", 2, 128);
    first = new AcknowledgingWorker("first", temp.newFolder("first").toPath());
    second = new AcknowledgingWorker("second", temp.newFolder("second").toPath());
    for (AcknowledgingWorker worker : List.of(first, second)) {
      worker.nameOperators(stage -> plan.stage(stage).operators().get(0).name());
    }
    checkpointDir = temp.newFolder("checkpoints").toURI();
  }

  @After
  public void tearDown() throws IOException {
    for (CheckpointStorage storage : opened) {
      storage.close();
    }
  }

  private JobCoordinator start(String jobId, String... args) throws IOException {
    WeirPipelineOptions options =
        PipelineOptionsFactory.fromArgs(args).as(WeirPipelineOptions.class);
    options.setNoProgressTimeoutSeconds(0L);
    options.setProgressLogSeconds(0L);
    options.setExecutionRetryDelay(0L);
    JobCoordinator coordinator =
        new JobCoordinator(
            jobId,
            plan,
            () -> List.of(first, second),
            () -> {},
            id -> timer,
            new CheckpointSubtaskRestores());
    if (options.getCheckpointDir() != null) {
      // In a job each worker opens the job's directory itself.
      CheckpointStorage storage = CheckpointStorage.open(checkpointDir, jobId, Map.of());
      opened.add(storage);
      first.uploadTo(storage);
      second.uploadTo(storage);
    }
    coordinator.start(options);
    return coordinator;
  }

  private String[] withCheckpoints(String... more) {
    List<String> args = new ArrayList<>();
    args.add("--checkpointingInterval=" + INTERVAL);
    args.add("--checkpointDir=" + checkpointDir);
    args.addAll(List.of(more));
    return args.toArray(new String[0]);
  }

  private int subtasksPerAttempt() {
    return plan.stages().stream().mapToInt(s -> s.parallelism()).sum();
  }

  private List<TaskDeployment> deployments(int attempt) {
    List<TaskDeployment> result = new ArrayList<>();
    for (AcknowledgingWorker worker : List.of(first, second)) {
      synchronized (worker.deployed) {
        for (TaskDeployment d : worker.deployed) {
          if (d.taskId().attempt() == attempt) {
            result.add(d);
          }
        }
      }
    }
    return result;
  }

  private static void failOne(AcknowledgingWorker worker, int attempt, String message) {
    TaskId victim = worker.running(attempt).keySet().iterator().next();
    worker.fail(victim, new IllegalStateException(message));
  }

  private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Not within " + WAIT_MILLIS + " ms: " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  public void noCheckpointIsTriggeredBeforeEverySubtaskOfTheAttemptIsDeployed() throws Exception {
    // Deploys to other processes take a while; here the clock passes two intervals meanwhile. A
    // trigger sent then would miss the subtasks not deployed yet and wait for its timeout, and no
    // other checkpoint could start (the cluster kill test saw none complete).
    first.duringDeploy(() -> timer.advance(2 * INTERVAL));
    JobCoordinator coordinator = start("slow-deploy", withCheckpoints());
    first.duringDeploy(() -> {});

    timer.advance(INTERVAL);

    assertEquals(1, coordinator.checkpoints().size());
    assertEquals(CheckpointStats.Status.COMPLETED, coordinator.checkpoints().get(0).status());
    first.finishAll(0);
    second.finishAll(0);
    assertTrue(coordinator.await(WAIT_MILLIS));
  }

  @Test
  public void aFailedAttemptIsRedeployedFromTheLatestCheckpointAndTheJobCompletes()
      throws Exception {
    JobCoordinator coordinator = start("restart-job", withCheckpoints());
    timer.advance(2 * INTERVAL);
    assertEquals(2, coordinator.checkpoints().size());
    long latest = coordinator.checkpoints().get(1).id();

    failOne(first, 0, "boom in attempt 0");
    waitFor("attempt 1 deployed", () -> deployments(1).size() == subtasksPerAttempt());

    assertTrue(first.cancelledAttempts.contains(0));
    assertEquals(PipelineResult.State.RUNNING, coordinator.state());
    int withKeyedState = 0;
    for (TaskDeployment d : deployments(1)) {
      SubtaskRestore restore = d.restore();
      assertEquals(latest, restore.getCheckpointId());
      assertThat(restore.getJobDirectory(), containsString("restart-job"));
      // Every operator of the stage gets a restore; the fake workers acknowledged state for the
      // first one only, so the others' are empty.
      assertEquals(plan.stage(d.taskId().stage()).operators().size(), restore.getOperatorsCount());
      OperatorRestore operator = restore.getOperators(0);
      assertEquals(
          plan.stage(d.taskId().stage()).operators().get(0).name(), operator.getOperatorId());
      for (OperatorRestore other : restore.getOperatorsList().subList(1, restore.getOperatorsCount())) {
        assertEquals(0, other.getKeyedStateCount() + other.getEntriesCount());
      }
      // The fake workers' state: subtask i holds key groups [64 i, 64 i + 64), so at the same
      // parallelism each new subtask overlaps exactly its predecessor; entries come from all.
      assertEquals(1, operator.getKeyedStateCount());
      assertEquals(2, operator.getEntriesCount());
      withKeyedState++;
    }
    assertEquals(subtasksPerAttempt(), withKeyedState);

    // Attempt 1 checkpoints too, with the ids going on from attempt 0's.
    timer.advance(INTERVAL);
    CheckpointStats afterRestart =
        coordinator.checkpoints().get(coordinator.checkpoints().size() - 1);
    assertEquals(1, afterRestart.attempt());
    assertEquals(CheckpointStats.Status.COMPLETED, afterRestart.status());
    assertTrue(afterRestart.id() > latest);

    first.finishAll(1);
    second.finishAll(1);
    assertTrue(coordinator.await(WAIT_MILLIS));
    assertEquals(PipelineResult.State.DONE, coordinator.state());
    assertNull(coordinator.failure());
    List<JobRestart> restarts = coordinator.restarts();
    assertEquals(1, restarts.size());
    assertEquals(1, restarts.get(0).attempt());
    assertThat(restarts.get(0).cause(), containsString("boom in attempt 0"));
    assertEquals(OptionalLong.of(latest), restarts.get(0).restoredCheckpoint());
  }

  @Test
  public void whenTheRetriesAreUsedUpTheJobFailsWithTheLastCause() throws Exception {
    JobCoordinator coordinator =
        start("exhausted-job", withCheckpoints("--numberOfExecutionRetries=1"));
    timer.advance(INTERVAL);

    failOne(second, 0, "first failure");
    waitFor("attempt 1 deployed", () -> deployments(1).size() == subtasksPerAttempt());
    failOne(second, 1, "second failure");

    assertTrue(coordinator.await(WAIT_MILLIS));
    assertEquals(PipelineResult.State.FAILED, coordinator.state());
    assertEquals("second failure", coordinator.failure().getMessage());
    assertEquals(1, coordinator.restarts().size());
    assertTrue("no attempt 2", deployments(2).isEmpty());
  }

  @Test
  public void withoutACheckpointTheNextAttemptStartsFromTheBeginning() throws Exception {
    JobCoordinator coordinator = start("fresh-job", "--numberOfExecutionRetries=1");

    failOne(first, 0, "lost before any checkpoint");
    waitFor("attempt 1 deployed", () -> deployments(1).size() == subtasksPerAttempt());

    for (TaskDeployment d : deployments(1)) {
      assertNull(d.restore());
    }
    first.finishAll(1);
    second.finishAll(1);
    assertTrue(coordinator.await(WAIT_MILLIS));
    assertEquals(PipelineResult.State.DONE, coordinator.state());
    assertEquals(OptionalLong.empty(), coordinator.restarts().get(0).restoredCheckpoint());
    assertTrue(coordinator.checkpoints().isEmpty());
  }

  @Test
  public void withCheckpointsOffAndDefaultRetriesTheFirstFailureFailsTheJob() throws Exception {
    JobCoordinator coordinator = start("no-retry-job");

    failOne(first, 0, "the only failure");

    assertTrue(coordinator.await(WAIT_MILLIS));
    assertEquals(PipelineResult.State.FAILED, coordinator.state());
    assertEquals("the only failure", coordinator.failure().getMessage());
    assertTrue(coordinator.restarts().isEmpty());
    assertTrue(deployments(1).isEmpty());
    assertFalse("the job is cancelled, not an attempt", first.cancelledAttempts.contains(0));
  }

  @Test
  public void aSavepointCopiesTheLatestCheckpointBesideTheCheckpoints() throws Exception {
    JobCoordinator coordinator = start("savepoint-job", withCheckpoints());
    timer.advance(INTERVAL);
    long latest = coordinator.checkpoints().get(0).id();

    String location = coordinator.savepoint(null);

    assertThat(location, containsString("savepoint-" + latest));
    assertEquals(List.of(latest), opened.get(0).savepointIds());
    assertEquals(location, coordinator.savepoint(checkpointDir.toString()));
    first.finishAll(0);
    second.finishAll(0);
    assertTrue(coordinator.await(WAIT_MILLIS));
  }

  @Test
  public void restoreFromStartsANewJobFromAnotherJobsCheckpoint() throws Exception {
    JobCoordinator earlier = start("earlier-job", withCheckpoints());
    timer.advance(INTERVAL);
    long id = earlier.checkpoints().get(0).id();
    first.finishAll(0);
    second.finishAll(0);
    assertTrue(earlier.await(WAIT_MILLIS));
    String from = checkpointDir.resolve("earlier-job/chk-" + id).toString();

    JobCoordinator later = start("later-job", "--restoreFrom=" + from);

    List<TaskDeployment> attempt0 = new ArrayList<>();
    for (TaskDeployment d : deployments(0)) {
      if (d.taskId().jobId().equals("later-job")) {
        attempt0.add(d);
      }
    }
    assertEquals(subtasksPerAttempt(), attempt0.size());
    for (TaskDeployment d : attempt0) {
      assertEquals(id, d.restore().getCheckpointId());
      assertThat(d.restore().getJobDirectory(), containsString("earlier-job"));
      assertEquals(1, d.restore().getOperators(0).getKeyedStateCount());
    }
    later.cancel();
    assertTrue(later.await(WAIT_MILLIS));
  }

  @Test
  public void restoreFromRefusesACheckpointOfAnotherPipeline() throws Exception {
    JobCoordinator earlier = start("other-pipeline-job", withCheckpoints());
    timer.advance(INTERVAL);
    long id = earlier.checkpoints().get(0).id();
    first.finishAll(0);
    second.finishAll(0);
    assertTrue(earlier.await(WAIT_MILLIS));
    Pipeline other = Pipeline.create(PipelineOptionsFactory.create());
    other.apply(Create.of("x")).apply("SomethingElse", Count.perElement());
    TransformOverrides.apply(other);
    plan = PipelineTranslator.translate(other, "other", 2, 128);

    IllegalArgumentException e =
        org.junit.Assert.assertThrows(
            IllegalArgumentException.class,
            () ->
                start(
                    "restored-job",
                    "--restoreFrom=" + checkpointDir.resolve("other-pipeline-job/chk-" + id)));
    assertThat(e.getMessage(), containsString("--restoreFrom"));
    assertThat(e.getMessage(), containsString("different pipeline"));
  }

  private static SubtaskSummary counted(long n) {
    MetricsContainerStepMap metrics = new MetricsContainerStepMap();
    metrics
        .getContainer("Step")
        .getCounter(org.apache.beam.sdk.metrics.MetricName.named("test", "elements"))
        .inc(n);
    return new SubtaskSummary(metrics, Map.of());
  }

  private static long committedElements(JobCoordinator coordinator) {
    return coordinator
        .committedMetrics()
        .getContainer("Step")
        .getCounter(org.apache.beam.sdk.metrics.MetricName.named("test", "elements"))
        .getCumulative();
  }

  private static long attemptedElements(JobCoordinator coordinator) {
    return coordinator
        .attemptedMetrics()
        .getContainer("Step")
        .getCounter(org.apache.beam.sdk.metrics.MetricName.named("test", "elements"))
        .getCumulative();
  }

  /**
   * A bounded job restarted from its beginning runs again what the failed attempt had finished:
   * committed metrics count the work once, attempted metrics count every attempt.
   */
  @Test
  public void committedMetricsCountOnlyTheAttemptThatFinished() throws Exception {
    JobCoordinator coordinator = start("metrics-job", "--numberOfExecutionRetries=1");
    Map.Entry<TaskId, TaskListener> done = first.running(0).entrySet().iterator().next();
    first.finish(done.getKey(), counted(5));
    failOne(second, 0, "failed after the first subtask finished");
    waitFor("attempt 1 deployed", () -> deployments(1).size() == subtasksPerAttempt());

    for (AcknowledgingWorker worker : List.of(first, second)) {
      for (Map.Entry<TaskId, TaskListener> e : worker.running(1).entrySet()) {
        e.getValue()
            .taskFinished(
                e.getKey(),
                e.getKey()
                        .equals(
                            new TaskId(
                                "metrics-job", done.getKey().stage(), done.getKey().subtask(), 1))
                    ? counted(5)
                    : counted(0));
      }
    }

    assertTrue(coordinator.await(WAIT_MILLIS));
    assertEquals(PipelineResult.State.DONE, coordinator.state());
    assertEquals(5, committedElements(coordinator));
    assertEquals(10, attemptedElements(coordinator));
  }

  @Test
  public void aRestartSkipsACorruptNewestCheckpointForTheOneBefore() throws Exception {
    JobCoordinator coordinator = start("corrupt-job", withCheckpoints());
    timer.advance(2 * INTERVAL);
    long older = coordinator.checkpoints().get(0).id();
    long newest = coordinator.checkpoints().get(1).id();
    java.nio.file.Path metadata =
        java.nio.file.Paths.get(checkpointDir.resolve("corrupt-job/chk-" + newest + "/_metadata"));
    byte[] bytes = java.nio.file.Files.readAllBytes(metadata);
    bytes[bytes.length - 1] ^= 0x01;
    java.nio.file.Files.write(metadata, bytes);

    failOne(first, 0, "failure after a corrupted checkpoint");
    waitFor("attempt 1 deployed", () -> deployments(1).size() == subtasksPerAttempt());

    for (TaskDeployment d : deployments(1)) {
      assertEquals(older, d.restore().getCheckpointId());
    }
    assertEquals(OptionalLong.of(older), coordinator.restarts().get(0).restoredCheckpoint());
    coordinator.cancel();
    assertTrue(coordinator.await(WAIT_MILLIS));
    assertEquals(PipelineResult.State.CANCELLED, coordinator.state());
  }

  @Test
  public void aRestartIsPlacedOnTheWorkersStillAlive() throws Exception {
    List<AcknowledgingWorker> alive =
        new java.util.concurrent.CopyOnWriteArrayList<>(List.of(first, second));
    WeirPipelineOptions options =
        PipelineOptionsFactory.fromArgs("--numberOfExecutionRetries=1")
            .as(WeirPipelineOptions.class);
    options.setNoProgressTimeoutSeconds(0L);
    options.setProgressLogSeconds(0L);
    options.setExecutionRetryDelay(0L);
    JobCoordinator coordinator =
        new JobCoordinator(
            "shrinking-job",
            plan,
            () -> alive,
            () -> {},
            id -> timer,
            new CheckpointSubtaskRestores());
    coordinator.start(options);
    assertFalse(first.running(0).isEmpty());

    alive.remove(first);
    failOne(first, 0, "worker lost");
    waitFor("attempt 1 deployed", () -> deployments(1).size() == subtasksPerAttempt());

    assertTrue(first.running(1).isEmpty());
    assertEquals(subtasksPerAttempt(), second.running(1).size());
    for (Map.Entry<TaskId, String> placed : coordinator.placement().entrySet()) {
      if (placed.getKey().attempt() == 1) {
        assertEquals("second", placed.getValue());
      }
    }
    second.finishAll(1);
    assertTrue(coordinator.await(WAIT_MILLIS));
    assertEquals(PipelineResult.State.DONE, coordinator.state());
  }

  @Test
  public void withNoWorkerLeftTheJobFailsWithTheAttemptsCause() throws Exception {
    List<AcknowledgingWorker> alive =
        new java.util.concurrent.CopyOnWriteArrayList<>(List.of(first, second));
    WeirPipelineOptions options =
        PipelineOptionsFactory.fromArgs("--numberOfExecutionRetries=2")
            .as(WeirPipelineOptions.class);
    options.setNoProgressTimeoutSeconds(0L);
    options.setProgressLogSeconds(0L);
    options.setExecutionRetryDelay(0L);
    JobCoordinator coordinator =
        new JobCoordinator(
            "abandoned-job",
            plan,
            () -> alive,
            () -> {},
            id -> timer,
            new CheckpointSubtaskRestores());
    coordinator.start(options);

    alive.clear();
    failOne(second, 0, "every worker lost");

    assertTrue(coordinator.await(WAIT_MILLIS));
    assertEquals(PipelineResult.State.FAILED, coordinator.state());
    assertEquals("every worker lost", coordinator.failure().getMessage());
    assertThat(coordinator.failure().getSuppressed()[0].getMessage(), containsString("No worker"));
  }

  /** A bounded job goes on checkpointing after some of its subtasks have finished. */
  @Test
  public void subtasksThatFinishedAreRecordedAsFinishedInTheNextCheckpoint() throws Exception {
    JobCoordinator coordinator = start("bounded-job", withCheckpoints());
    Map.Entry<TaskId, TaskListener> done = first.running(0).entrySet().iterator().next();
    first.finish(done.getKey());

    timer.advance(INTERVAL);

    CheckpointStats taken = coordinator.checkpoints().get(0);
    assertEquals(CheckpointStats.Status.COMPLETED, taken.status());
    dev.weir.checkpoint.proto.CheckpointMetadata metadata =
        opened.get(0).readCheckpoint(taken.id()).metadata();
    assertEquals(
        java.util.Set.of(
            new dev.weir.checkpoint.coordination.StageSubtask(
                done.getKey().stage(), done.getKey().subtask())),
        dev.weir.checkpoint.coordination.PendingCheckpoint.finishedSubtasks(metadata));
    assertEquals(subtasksPerAttempt() - 1, metadata.getSubtasksCount());
    first.finishAll(0);
    second.finishAll(0);
    assertTrue(coordinator.await(WAIT_MILLIS));
    assertEquals(PipelineResult.State.DONE, coordinator.state());
  }

  /** A worker that reports a subtask's end twice must not end the job before its other subtasks. */
  @Test
  public void aSubtaskReportedTwiceIsCountedOnce() throws Exception {
    JobCoordinator coordinator = start("twice-job");
    Map.Entry<TaskId, TaskListener> done = first.running(0).entrySet().iterator().next();
    for (int i = 0; i < subtasksPerAttempt(); i++) {
      done.getValue()
          .taskFinished(done.getKey(), new SubtaskSummary(new MetricsContainerStepMap(), Map.of()));
    }

    assertEquals(PipelineResult.State.RUNNING, coordinator.state());
    first.finishAll(0);
    second.finishAll(0);
    assertTrue(coordinator.await(WAIT_MILLIS));
    assertEquals(PipelineResult.State.DONE, coordinator.state());
  }
}
