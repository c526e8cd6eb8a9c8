/**
 * Turns a Beam {@link org.apache.beam.sdk.Pipeline} into an {@link dev.weir.translation.ExecutionPlan}:
 * primitive transforms become operator specs, element-wise ones are fused into stages, and stages
 * are joined by keyed, broadcast, forward or rebalancing exchanges. Everything here is a plain
 * serializable value; nothing does I/O.
 */
package dev.weir.translation;
