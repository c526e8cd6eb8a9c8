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
   * On the subtask's thread: handles what came in, in order. A trigger is taken only by a source
   * subtask ({@code takesTriggers}); the others take checkpoints when barriers reach them.
   */
  void drain(SubtaskCheckpointer checkpointer, boolean takesTriggers) throws InterruptedException {
    Message message;
    while ((message = messages.poll()) != null) {
      if (message.trigger()) {
        if (takesTriggers) {
          checkpointer.checkpoint(message.checkpointId());
        }
      } else if (message.completed()) {
        checkpointer.completed(message.checkpointId());
      } else {
        checkpointer.aborted(message.checkpointId());
      }
    }
  }
}
