/**
 * A job's user code on a worker: the one place where Weir reads Java serialization from bytes
 * that came over the network ({@link dev.weir.worker.usercode.UserCodeBytes}), and the job's own
 * classes: the jars a job staged ({@link dev.weir.worker.usercode.JobArtifact}, fetched into an
 * {@link dev.weir.worker.usercode.ArtifactCache}) and the per-job {@link
 * dev.weir.worker.usercode.JobClassLoader} over them ({@link
 * dev.weir.worker.usercode.JobClassLoaders}), in which the job's plan is decoded and its code runs.
 *
 * <p><b>Trust boundary.</b> Every control call (coordinator and worker ports, the job service) is a
 * protobuf message of a gRPC service ({@code weir_control.proto}, {@code weir_job_service.proto});
 * parsing one runs no user code and instantiates no class named by the peer. What Weir cannot
 * describe in protobuf is the job's own code: the DoFns, coders and windowing of the translated
 * pipeline, and exceptions that code threw. Those travel as opaque {@code bytes} fields and are
 * decoded here only
 *
 * <ul>
 *   <li>on a worker, when a deployed subtask opens its stage plan, in the job's class loader: after
 *       the call arrived on the control channel, which is the channel that authenticates its caller
 *       (TLS and the cluster secret, {@code dev.weir.worker.security}); whoever may call it may run
 *       a job anyway. The coordinator decodes none: it receives a job's topology as protobuf and
 *       passes each stage's plan on as bytes;
 *   <li>on the client that submitted the job, for the exception that failed it, so that the user
 *       sees their own exception type; the client trusts its own job's classes and the cluster it
 *       authenticated.
 * </ul>
 *
 * <p>The coordinator and the workers never decode an exception's bytes: they pass failures on as
 * {@code Failure} messages (class name, message, stack, cause chain). Decoding takes the class
 * loader of the job explicitly: the job's own loader on a worker. {@code
 * NoJavaDeserializationOfNetworkBytesTest} keeps every other main class from reading Java
 * serialization.
 */
package dev.weir.worker.usercode;
