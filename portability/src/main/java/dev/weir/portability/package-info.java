/**
 * Weir's Beam job server: the Job API (prepare, run, state, metrics, cancel), artifact staging,
 * and the translation of a submitted pipeline proto into Weir's {@link
 * dev.weir.translation.ExecutionPlan}. Fused executable stages run user code in SDK harnesses over
 * the Fn API (Beam's {@code runners-java-fn-execution}); Impulse, GroupByKey and Flatten
 * run in Weir's engine. Protos and gRPC stay in this module: the plan it makes is the
 * same kind of value the Java translation makes.
 */
package dev.weir.portability;
