/**
 * Subtasks on a worker: a subtask runs one stage's fused operators for one key-group range, fed by
 * an input gate and feeding output edges, with watermarks, bundles and end of input handled
 * in-band. {@link dev.weir.worker.task.WorkerNode} is the worker process's side of the cluster.
 */
package dev.weir.worker.task;
