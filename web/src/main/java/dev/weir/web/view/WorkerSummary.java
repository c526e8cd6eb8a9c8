package dev.weir.web.view;

/**
 * A registered worker.
 *
 * @param slots its {@code --slots}; -1 for an embedded cluster's worker, which takes any number
 * @param millisSinceHeartbeat since its latest heartbeat; -1 for a worker in the coordinator's JVM
 */
public record WorkerSummary(
    String name, long slots, String exchangeAddress, long millisSinceHeartbeat) {}
