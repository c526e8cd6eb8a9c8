package dev.weir.portability;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.Struct;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.Timestamp;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * One job of the job server, from its preparation to its end: its pipeline, its state history
 * and messages, and the listeners following them (GetStateStream, GetMessageStream). Thread-safe;
 * listeners are called under the job's lock, in order.
 */
final class PortableJob {
  private final String id;
  private final String name;
  private final RunnerApi.Pipeline pipeline;
  private final Struct options;
  private final long preparedMillis;

  private final List<JobApi.JobMessagesResponse> history = new ArrayList<>();
  private final List<Consumer<JobApi.JobMessagesResponse>> followers = new ArrayList<>();
  private final AtomicBoolean artifactsRemoved = new AtomicBoolean();
  private JobApi.JobState.Enum state = JobApi.JobState.Enum.STOPPED;
  private long stateMillis;
  private @Nullable PipelineResult result;
  private int messages;

  PortableJob(
      String id, String name, RunnerApi.Pipeline pipeline, Struct options, long preparedMillis) {
    this.id = id;
    this.name = name;
    this.pipeline = pipeline;
    this.options = options;
    this.preparedMillis = preparedMillis;
    this.stateMillis = preparedMillis;
    history.add(stateEvent(state, preparedMillis));
  }

  String id() {
    return id;
  }

  String name() {
    return name;
  }

  RunnerApi.Pipeline pipeline() {
    return pipeline;
  }

  Struct options() {
    return options;
  }

  long preparedMillis() {
    return preparedMillis;
  }

  synchronized JobApi.JobState.Enum state() {
    return state;
  }

  /** When the job entered its current state. */
  synchronized long stateMillis() {
    return stateMillis;
  }

  synchronized boolean isTerminal() {
    return isTerminal(state);
  }

  static boolean isTerminal(JobApi.JobState.Enum state) {
    switch (state) {
      case DONE:
      case FAILED:
      case CANCELLED:
      case DRAINED:
      case UPDATED:
        return true;
      default:
        return false;
    }
  }

  synchronized JobApi.JobStateEvent stateEvent() {
    return stateEvent(state, stateMillis).getStateResponse();
  }

  synchronized @Nullable PipelineResult result() {
    return result;
  }

  synchronized void started(PipelineResult result) {
    this.result = result;
  }

  /** Moves to {@code next} unless the job ended already; a terminal state is final. */
  synchronized boolean setState(JobApi.JobState.Enum next, long nowMillis) {
    if (isTerminal(state) || next == state) {
      return false;
    }
    state = next;
    stateMillis = nowMillis;
    publish(stateEvent(next, nowMillis));
    return true;
  }

  synchronized void addMessage(
      JobApi.JobMessage.MessageImportance importance, String text, long nowMillis) {
    publish(
        JobApi.JobMessagesResponse.newBuilder()
            .setMessageResponse(
                JobApi.JobMessage.newBuilder()
                    .setMessageId(Integer.toString(++messages))
                    .setTime(Long.toString(nowMillis))
                    .setImportance(importance)
                    .setMessageText(text))
            .build());
  }

  /**
   * Replays what happened so far to {@code follower}, then everything that happens, until the
   * job ends; returns true if the job has ended already (nothing more will come).
   */
  synchronized boolean follow(Consumer<JobApi.JobMessagesResponse> follower) {
    for (JobApi.JobMessagesResponse event : history) {
      follower.accept(event);
    }
    if (isTerminal(state)) {
      return true;
    }
    followers.add(follower);
    return false;
  }

  synchronized void unfollow(Consumer<JobApi.JobMessagesResponse> follower) {
    followers.remove(follower);
  }

  private void publish(JobApi.JobMessagesResponse event) {
    history.add(event);
    for (Consumer<JobApi.JobMessagesResponse> follower : new ArrayList<>(followers)) {
      follower.accept(event);
    }
    if (isTerminal(state)) {
      followers.clear();
    }
  }

  private static JobApi.JobMessagesResponse stateEvent(JobApi.JobState.Enum state, long millis) {
    return JobApi.JobMessagesResponse.newBuilder()
        .setStateResponse(
            JobApi.JobStateEvent.newBuilder()
                .setState(state)
                .setTimestamp(
                    Timestamp.newBuilder()
                        .setSeconds(millis / 1000)
                        .setNanos((int) (millis % 1000) * 1_000_000)))
        .build();
  }

  /** True the first time only: the caller then deletes the job's staged artifacts. */
  boolean claimArtifactsRemoval() {
    return artifactsRemoved.compareAndSet(false, true);
  }
}
