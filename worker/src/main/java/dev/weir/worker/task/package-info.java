/**
 * Subtasks on a worker: a subtask runs one stage's fused operators for one key-group range, fed by
 * an input gate and feeding output edges, with watermarks, bundles and end of input handled
 * in-band. {@link dev.weir.worker.task.WorkerNode} is the worker process's side of the cluster.
 *
 * <p>A subtask's parts, each one concern: {@code SubtaskRunner} runs its life on its thread;
 * {@code SubtaskWiring} builds it from the plan and tears down what it built, each operator
 * seeing the subtask through a {@code SubtaskOperatorContext}; {@code InputLoop}
 * reads the gate and hands each event to its handler, {@code ChannelRoutes} taking data to its
 * receivers and {@code InputChannels} holding what each channel reported; {@code SubtaskTime}
 * moves watermarks, processing time and synchronized processing time through {@code
 * OperatorChain}, the fused operators in topological order; {@code CurrentBundle} ends bundles
 * and {@code SubtaskOutputs} sends their results; {@code SubtaskSourceControl} is what a source
 * subtask's operators drive it with, and {@code FinalTimers} fires what is left once input has
 * ended.
 */
package dev.weir.worker.task;
