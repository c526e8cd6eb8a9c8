package dev.weir.web.view;

/**
 * One job in a list of jobs.
 *
 * @param id the job id
 * @param name the pipeline's {@code --jobName}
 * @param state Beam's {@code PipelineResult.State} name
 * @param startMillis when the coordinator accepted it, ms since the epoch
 * @param endMillis when it ended, ms since the epoch; -1 while it has not
 * @param attempt the attempt running now (0 until the first restart)
 * @param restarts restarts so far
 */
public record JobSummary(
    String id,
    String name,
    String state,
    long startMillis,
    long endMillis,
    int attempt,
    int restarts) {}
