/**
 * The control plane between a Weir coordinator and worker processes: the Worker and Coordinator
 * gRPC services of {@code weir_control.proto} (package {@code weir.control.v1}, generated into
 * {@code dev.weir.worker.control.v1}), the conversions of the worker's task objects to and from
 * their messages ({@link dev.weir.worker.control.TaskMessages}, {@link
 * dev.weir.worker.control.RemoteFailure}), and the {@link dev.weir.worker.control.WorkerProcess}
 * main that runs one worker as its own JVM.
 *
 * <p>Every message is protobuf: reading one runs no code of the peer's choosing. User code (a
 * stage's plan, a user's exception) rides in {@code bytes} fields and is decoded only by {@link
 * dev.weir.worker.usercode.UserCodeBytes}, inside the job's code path; see that package for the
 * trust boundary.
 */
package dev.weir.worker.control;
