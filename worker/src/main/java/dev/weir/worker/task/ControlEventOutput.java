package dev.weir.worker.task;

import dev.weir.worker.exchange.ChannelEvent;

/** Where a subtask sends a control event on every output channel, after the data before it. */
interface ControlEventOutput {
  void send(ChannelEvent event) throws InterruptedException;
}
