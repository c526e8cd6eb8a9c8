/**
 * A Weir worker: the subtasks it runs ({@code task}), the operators fused into them ({@code
 * operators}), the gRPC data exchange between subtasks ({@code exchange}) and the control calls of
 * a worker process ({@code control}).
 */
package dev.weir.worker;
