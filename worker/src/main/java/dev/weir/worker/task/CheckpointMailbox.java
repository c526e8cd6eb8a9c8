package dev.weir.worker.task;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Checkpoint triggers and outcomes for one subtask, handed in by other threads (the worker's
 * control calls) and taken by the subtask's own thread between events or bundles: operators and
 * backends are only ever touched by that thread.
 */
final class CheckpointMailbox {
  private final Queue<Message> messages = new ConcurrentLinkedQueue<>();

  /**
   * The newest trigger a subtask with open input passed over, or -1; the subtask's thread only.
   * If its producers then finish without sending that barrier (a bounded source that was done),
   * nothing else would ever start the checkpoint here, so it is taken once the input has ended.
   */
  private long passedOver = -1;

  private record Message(long checkpointId, boolean trigger, boolean completed) {}

  /** Checkpoint {@code checkpointId} is to be taken (a source subtask's trigger). */
  void trigger(long checkpointId) {
    messages.add(new Message(checkpointId, true, false));
  }

  /** Checkpoint {@code checkpointId} completed, or was aborted. */
  void outcome(long checkpointId, boolean completed) {
    messages.add(new Message(checkpointId, false, completed));
  }

  /**
   * On the subtask's thread: handles what came in, in order. A trigger is taken only by a subtask
   * without open input ({@code takesTriggers}: a source, or one whose input has ended), which then
   * also takes the newest trigger it passed over before; the others take checkpoints when
   * barriers reach them (the checkpointer takes each checkpoint once, whichever way it comes).
   */
  void drain(SubtaskCheckpointer checkpointer, boolean takesTriggers) throws InterruptedException {
    Message message;
    while ((message = messages.poll()) != null) {
      if (message.trigger()) {
        if (takesTriggers) {
          checkpointer.checkpoint(message.checkpointId());
        } else {
          passedOver = Math.max(passedOver, message.checkpointId());
        }
        continue;
      }
      if (message.checkpointId() >= passedOver) {
        // That checkpoint is over (or a newer one is): nothing to start any more.
        passedOver = -1;
      }
      if (message.completed()) {
        checkpointer.completed(message.checkpointId());
      } else {
        checkpointer.aborted(message.checkpointId());
      }
    }
    if (takesTriggers && passedOver >= 0) {
      long id = passedOver;
      passedOver = -1;
      checkpointer.checkpoint(id);
    }
  }
}
