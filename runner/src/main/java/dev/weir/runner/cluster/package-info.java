/**
 * A standalone Weir cluster: the {@link dev.weir.runner.cluster.WeirClusterCoordinator} process,
 * which worker processes ({@code dev.weir.worker.control.WorkerProcess}) join and to which clients
 * submit jobs with {@code --weirMaster=host:port}.
 *
 * <p>Clients call the JobService of {@code weir_job_service.proto} (generated into {@code
 * dev.weir.runner.cluster.v1}); workers call the Coordinator service of the worker module's {@code
 * weir_control.proto}. All messages are protobuf. The coordinator decodes one piece of user code,
 * a submitted job's plan, with {@code dev.weir.worker.usercode.UserCodeBytes} (it needs the plan's
 * stages to place subtasks); it never decodes an exception's bytes, which only the submitting
 * client does. The jobs it knows are bounded ({@link dev.weir.runner.cluster.JobRegistry}): an
 * ended job is forgotten after a retention period.
 */
package dev.weir.runner.cluster;
