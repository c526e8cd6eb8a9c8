package dev.weir.worker.task;

import static org.junit.Assert.assertEquals;

import dev.weir.state.KeyGroupRange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.joda.time.Instant;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** A source subtask takes checkpoint triggers from other threads at its bundle ends. */
public class SubtaskSourceControlTest {
  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private final OperatorChain chain = new OperatorChain();
  private final RecordingOperator source = new RecordingOperator("source", log);
  private final RecordingListener listener = new RecordingListener();
  private final CheckpointMailbox mailbox = new CheckpointMailbox();
  private final CheckpointUploads uploads = new CheckpointUploads();

  @After
  public void close() {
    uploads.close();
  }

  private SubtaskSourceControl control() throws Exception {
    return control(null);
  }

  private SubtaskSourceControl control(JobActivity activity) throws Exception {
    chain.add(source, List.of());
    source.entries = Map.of("split-0", "offset 42".getBytes(StandardCharsets.UTF_8));
    SubtaskOutputs outputs = new SubtaskOutputs();
    CurrentBundle bundle = new CurrentBundle(chain, outputs);
    InputChannels channels = new InputChannels(new org.apache.beam.sdk.values.PCollectionView<?>[0]);
    SubtaskTime time =
        new SubtaskTime(true, () -> new Instant(0), chain, outputs, bundle, channels);
    SubtaskCheckpointer checkpointer =
        new SubtaskCheckpointer(
            new TaskId("job", 0, 0),
            List.of("source"),
            List.of(source),
            new OperatorBackends(),
            KeyGroupRange.of(0, 128),
            bundle,
            event -> {
              log.add("forward " + event);
              if (activity != null) {
                // Downstream, the barrier completes an alignment and the held event is handled.
                activity.handled(1);
              }
            },
            StateBackendFactory.inMemory(),
            uploads,
            temp.newFolder("checkpoints").toURI().toString(),
            listener,
            new org.apache.beam.runners.core.metrics.MetricsContainerStepMap());
    return new SubtaskSourceControl(
        time, bundle, new ProgressSignals(), activity, () -> new Instant(0), "source", checkpointer,
        mailbox);
  }

  @Test
  public void aTriggerIsTakenAtTheNextBundleEndOfTheSource() throws Exception {
    SubtaskSourceControl control = control();
    Thread trigger = new Thread(() -> mailbox.trigger(9), "coordinator-call");
    trigger.start();
    trigger.join();
    log.add("source emits");

    control.endBundleOfSource();

    assertEquals(
        List.of(
            "source emits",
            "source finish bundle",
            // The checkpoint ends the bundle itself (empty here): the snapshot follows one.
            "source finish bundle",
            "source snapshot 9",
            "forward CheckpointBarrier[9]"),
        log);
    // A source without keyed state acknowledges its entries only.
    var ack = listener.nextAck();
    assertEquals(9, ack.getCheckpointId());
    assertEquals("split-0", ack.getOperators(0).getEntries(0).getName());
    assertEquals(false, ack.getOperators(0).hasKeyedState());
  }

  @Test
  public void aCompletedCheckpointReachesTheSourceAtItsNextBundleEnd() throws Exception {
    SubtaskSourceControl control = control();
    mailbox.trigger(1);
    control.endBundleOfSource();
    listener.nextAck();
    mailbox.outcome(1, true);

    control.endBundleOfSource();

    // Followed by the bundle of what the source released on hearing it.
    assertEquals(
        List.of(
            "source checkpoint complete 1 on " + Thread.currentThread().getName(),
            "source finish bundle"),
        log.subList(log.size() - 2, log.size()));
  }

  @Test
  public void aSourceWaitingForQuiescenceTakesATriggerMeanwhile() throws Exception {
    // A TestStream waits for the job to handle what it sent; downstream holds an event back
    // behind the barrier of checkpoint 4 from another source until this source's barrier comes.
    JobActivity activity = JobActivity.of("quiescence-" + System.nanoTime());
    activity.sent(1);
    SubtaskSourceControl control = control(activity);
    mailbox.trigger(4);

    control.awaitQuiescence();

    assertEquals("forward CheckpointBarrier[4]", log.get(log.size() - 1));
    assertEquals(4, listener.nextAck().getCheckpointId());
  }
}
