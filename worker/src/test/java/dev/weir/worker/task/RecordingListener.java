package dev.weir.worker.task;

import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.DeclineCheckpoint;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A listener that keeps the acknowledgements and declines it hears, for a test to wait on. */
final class RecordingListener implements TaskListener {
  private static final long WAIT_SECONDS = 60;

  final BlockingQueue<AcknowledgeCheckpoint> acks = new LinkedBlockingQueue<>();
  final BlockingQueue<DeclineCheckpoint> declines = new LinkedBlockingQueue<>();

  @Override
  public void checkpointAcknowledged(TaskId task, AcknowledgeCheckpoint ack) {
    acks.add(ack);
  }

  @Override
  public void checkpointDeclined(TaskId task, DeclineCheckpoint decline) {
    declines.add(decline);
  }

  @Override
  public void taskFinished(TaskId task, SubtaskSummary summary) {}

  @Override
  public void taskFailed(TaskId task, Throwable cause, SubtaskSummary summary) {}

  /** The next acknowledgement; fails if none comes within a generous bound. */
  AcknowledgeCheckpoint nextAck() throws InterruptedException {
    AcknowledgeCheckpoint ack = acks.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    if (ack == null) {
      throw new AssertionError("No acknowledgement within " + WAIT_SECONDS + " s; declines: " + declines);
    }
    return ack;
  }

  DeclineCheckpoint nextDecline() throws InterruptedException {
    DeclineCheckpoint decline = declines.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    if (decline == null) {
      throw new AssertionError("No decline within " + WAIT_SECONDS + " s");
    }
    return decline;
  }
}
