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
 *
 * <p>Checkpoints: {@code BarrierAlignment} holds back the channels that delivered a barrier until
 * all have; {@code SubtaskCheckpointer} then takes the subtask's part (bundle end, operator
 * entries, snapshots of the backends {@code OperatorBackends} tracks, barrier forward) and
 * uploads it on the worker's {@code CheckpointUploads} threads. Triggers (for sources) and
 * outcomes come from other threads through a {@code CheckpointMailbox} the subtask's thread
 * drains. {@code RestoredState} builds backends and entries from a deployment's restore.
 */
package dev.weir.worker.task;
