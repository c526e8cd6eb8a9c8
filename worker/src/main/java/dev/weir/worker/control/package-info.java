/**
 * The control plane between a Weir coordinator and worker processes: a small gRPC service whose
 * messages are Java-serialized objects (deployments, task reports, registrations), and the {@link
 * dev.weir.worker.control.WorkerProcess} main that runs one worker as its own JVM.
 *
 * <p>Java serialization is acceptable here because both ends run the same Weir build and the same
 * user classpath; state bytes never travel this way (they stay Beam-coder bytes).
 */
package dev.weir.worker.control;
