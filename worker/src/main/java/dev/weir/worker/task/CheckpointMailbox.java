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
  // The newest trigger a subtask with input channels left to its barriers, or -1. Only the
  // subtask's thread uses it.
  private long deferredTrigger = -1;

  private record Message(
      long checkpointId, boolean trigger, boolean completed, boolean reuploadSharedFiles) {}

  /** Checkpoint {@code checkpointId} is to be taken (a source subtask's trigger). */
  void trigger(long checkpointId) {
    messages.add(new Message(checkpointId, true, false, false));
  }

  /** Checkpoint {@code checkpointId} completed, or was aborted. */
  void outcome(long checkpointId, boolean completed) {
    outcome(checkpointId, completed, false);
  }

  /**
   * Checkpoint {@code checkpointId} completed, or was aborted; {@code reuploadSharedFiles}: it was
   * aborted because a file it names was unusable, so nothing uploaded before is referenced again.
   */
  void outcome(long checkpointId, boolean completed, boolean reuploadSharedFiles) {
    messages.add(new Message(checkpointId, false, completed, reuploadSharedFiles));
  }

  /**
   * On the subtask's thread: handles what came in, in order. A trigger is taken only by a subtask
   * without open input ({@code takesTriggers}: a source, or a subtask whose input has all ended);
   * the others take checkpoints when barriers reach them, and keep the newest trigger for {@link
   * #inputEnded}.
   */
  void drain(SubtaskCheckpointer checkpointer, boolean takesTriggers) throws InterruptedException {
    Message message;
    while ((message = messages.poll()) != null) {
      if (message.trigger()) {
        if (takesTriggers) {
          checkpointer.checkpoint(message.checkpointId());
        } else {
          deferredTrigger = Math.max(deferredTrigger, message.checkpointId());
        }
      } else if (message.completed()) {
        checkpointer.completed(message.checkpointId());
      } else {
        checkpointer.aborted(message.checkpointId());
        if (message.reuploadSharedFiles()) {
          checkpointer.reuploadSharedFiles();
        }
      }
    }
  }

  /**
   * On the subtask's thread, once every input channel has ended: from now on the subtask takes
   * triggers as a source does (its producers have finished, so no barrier will come). A trigger
   * that came while its barrier was awaited is taken now, unless that barrier did arrive (or the
   * checkpoint ended) first: its producers finished before they took it.
   */
  void inputEnded(SubtaskCheckpointer checkpointer) throws InterruptedException {
    long deferred = deferredTrigger;
    deferredTrigger = -1;
    drain(checkpointer, true);
    if (deferred >= 0) {
      checkpointer.checkpoint(deferred);
    }
  }
}
