package dev.weir.web;

import dev.weir.web.view.JobDetail;
import dev.weir.web.view.StageDetail;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The backpressure hint: which stages hold the job back. A stage is backpressured when one of its
 * subtasks waits for output credit at least {@value #BACKPRESSURED_MILLIS} ms per second; the
 * hint names each stage that is not backpressured itself, is busy at least {@value #BUSY_MILLIS}
 * ms per second (its busiest subtask), and takes input from a backpressured stage: the stage just
 * downstream of the backpressured ones, whose own work is what they wait for. Stages whose
 * subtasks have not reported their time use count as neither.
 */
final class Bottlenecks {
  static final long BACKPRESSURED_MILLIS = 500;
  static final long BUSY_MILLIS = 500;

  /**
   * A stage that holds back the stages feeding it.
   *
   * @param busyMillisPerSecond its busiest subtask's busy time
   * @param backpressuredUpstream the backpressured stages it takes input from, by id
   */
  record Bottleneck(int stage, String name, long busyMillisPerSecond, List<Integer> backpressuredUpstream) {}

  private Bottlenecks() {}

  /** The bottlenecks of {@code job}, by stage id; {@code stages} are its stages' status now. */
  static List<Bottleneck> of(JobDetail job, List<StageDetail> stages) {
    Map<Integer, Long> busy = new TreeMap<>();
    Map<Integer, Long> backpressured = new TreeMap<>();
    Map<Integer, String> names = new TreeMap<>();
    for (StageDetail stage : stages) {
      long mostBusy = -1;
      long mostBackpressured = -1;
      for (StageDetail.SubtaskStatus s : stage.subtasks()) {
        mostBusy = Math.max(mostBusy, s.busyMillisPerSecond());
        mostBackpressured = Math.max(mostBackpressured, s.backpressuredMillisPerSecond());
      }
      busy.put(stage.stageId(), mostBusy);
      backpressured.put(stage.stageId(), mostBackpressured);
      names.put(stage.stageId(), stage.name());
    }
    Map<Integer, List<Integer>> upstreamOf = new TreeMap<>();
    for (JobDetail.Edge edge : job.edges()) {
      if (edge.from() == edge.to()
          || backpressured.getOrDefault(edge.from(), -1L) < BACKPRESSURED_MILLIS) {
        continue;
      }
      int to = edge.to();
      if (backpressured.getOrDefault(to, -1L) >= BACKPRESSURED_MILLIS
          || busy.getOrDefault(to, -1L) < BUSY_MILLIS) {
        continue;
      }
      List<Integer> upstream = upstreamOf.computeIfAbsent(to, k -> new ArrayList<>());
      if (!upstream.contains(edge.from())) {
        upstream.add(edge.from());
      }
    }
    List<Bottleneck> found = new ArrayList<>();
    for (Map.Entry<Integer, List<Integer>> e : upstreamOf.entrySet()) {
      List<Integer> upstream = new ArrayList<>(e.getValue());
      upstream.sort(null);
      found.add(new Bottleneck(e.getKey(), names.get(e.getKey()), busy.get(e.getKey()), upstream));
    }
    return found;
  }
}
