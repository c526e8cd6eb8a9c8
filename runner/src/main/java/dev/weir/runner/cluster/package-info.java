/**
 * A standalone Weir cluster: the {@link dev.weir.runner.cluster.WeirClusterCoordinator} process,
 * which worker processes ({@code dev.weir.worker.control.WorkerProcess}) join and to which clients
 * submit jobs with {@code --weirMaster=host:port}, and the job calls between client and
 * coordinator.
 */
package dev.weir.runner.cluster;
