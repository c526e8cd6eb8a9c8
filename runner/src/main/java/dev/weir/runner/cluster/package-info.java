/**
 * A standalone Weir cluster: the {@link dev.weir.runner.cluster.WeirClusterCoordinator} process,
 * which worker processes ({@code dev.weir.worker.control.WorkerProcess}) join and to which clients
 * submit jobs with {@code --master=host:port} (or {@code --weirMaster}).
 *
 * <p>Clients call the JobService of {@code weir_job_service.proto} (generated into {@code
 * dev.weir.runner.cluster.v1}); workers call the Coordinator service of the worker module's {@code
 * weir_control.proto}, and its Artifacts service for the jars clients staged. All messages are
 * protobuf. The coordinator decodes no user code: a client sends the job's topology (stages,
 * parallelism, edges, names; {@code dev.weir.runner.JobTopology}) as protobuf and each stage's
 * plan as bytes that only the workers decode, in the job's class loader; it never decodes an
 * exception's bytes either, which only the submitting client does. The jobs it knows are bounded ({@link dev.weir.runner.cluster.JobRegistry}): an
 * ended job is forgotten after a retention period.
 */
package dev.weir.runner.cluster;
