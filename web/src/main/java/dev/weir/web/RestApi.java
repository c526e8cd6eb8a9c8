package dev.weir.web;

import dev.weir.web.view.CheckpointDetailView;
import dev.weir.web.view.CheckpointHistoryView;
import dev.weir.web.view.ClusterView;
import dev.weir.web.view.JobDetail;
import dev.weir.web.view.JobException;
import dev.weir.web.view.JobMetrics;
import dev.weir.web.view.JobSummary;
import dev.weir.web.view.Overview;
import dev.weir.web.view.StageDetail;
import dev.weir.web.view.WorkerDetail;
import dev.weir.web.view.WorkerSummary;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The JSON API under {@code /api/v1}, read from a {@link ClusterView}: {@code overview}, {@code
 * jobs}, {@code jobs/{id}}, {@code jobs/{id}/stages/{stageId}}, {@code jobs/{id}/metrics}, {@code
 * jobs/{id}/checkpoints}, {@code jobs/{id}/checkpoints/{checkpointId}}, {@code
 * jobs/{id}/watermarks}, {@code jobs/{id}/exceptions}, {@code workers}. Every response's shape has a JSON schema in {@code
 * dev/weir/web/schemas/} (the file names are in {@code docs/rest-api.md}); an unknown path or id
 * is a JSON 404.
 */
final class RestApi {
  /** Failures shown per job, newest: the view may keep more. */
  static final int MAX_EXCEPTIONS = 100;

  private final ClusterView view;
  private final boolean cancelAllowed;

  /** @param cancelAllowed whether this server takes job cancels ({@code --webAllowCancel}) */
  RestApi(ClusterView view, boolean cancelAllowed) {
    this.view = view;
    this.cancelAllowed = cancelAllowed;
  }

  /** {@code path} without its {@code api/v1} prefix. */
  Response get(List<String> path) {
    if (path.size() == 1 && path.get(0).equals("overview")) {
      return ok(overview(view.overview(), cancelAllowed));
    }
    if (path.size() == 1 && path.get(0).equals("workers")) {
      return ok(workers(view.workers()));
    }
    if (path.size() == 2 && path.get(0).equals("workers")) {
      return found(view.worker(path.get(1)).map(RestApi::worker), "worker", path.get(1));
    }
    if (path.size() == 1 && path.get(0).equals("jobs")) {
      return ok(jobs(view.jobs()));
    }
    if (path.size() >= 2 && path.get(0).equals("jobs")) {
      String id = path.get(1);
      if (path.size() == 2) {
        return found(
            view.job(id).map(j -> job(j, Bottlenecks.of(j, stagesOf(j)))), "job", id);
      }
      if (path.size() == 3) {
        switch (path.get(2)) {
          case "metrics":
            return found(view.metrics(id).map(m -> metrics(id, m)), "job", id);
          case "checkpoints":
            return found(view.checkpoints(id).map(c -> checkpoints(id, c)), "job", id);
          case "exceptions":
            return found(view.exceptions(id).map(e -> exceptions(id, e)), "job", id);
          case "watermarks":
            return found(
                view.job(id).map(j -> watermarks(id, stagesOf(j), System.currentTimeMillis())),
                "job",
                id);
          default:
            break;
        }
      }
      if (path.size() == 4 && path.get(2).equals("checkpoints")) {
        long checkpointId;
        try {
          checkpointId = Long.parseLong(path.get(3));
        } catch (NumberFormatException e) {
          return Response.error(404, "no checkpoint " + path.get(3));
        }
        if (view.job(id).isEmpty()) {
          return Response.error(404, "no job " + id);
        }
        return found(
            view.checkpoint(id, checkpointId).map(c -> checkpoint(id, c)),
            "checkpoint",
            path.get(3));
      }
      if (path.size() == 4 && path.get(2).equals("stages")) {
        int stageId;
        try {
          stageId = Integer.parseInt(path.get(3));
        } catch (NumberFormatException e) {
          return Response.error(404, "no stage " + path.get(3));
        }
        if (view.job(id).isEmpty()) {
          return Response.error(404, "no job " + id);
        }
        return found(view.stage(id, stageId).map(RestApi::stage), "stage", path.get(3));
      }
    }
    return Response.error(404, "no such API path");
  }

  /**
   * {@code POST jobs/{id}/cancel}, {@code path} without {@code api/v1}; the gate let it through
   * only with {@code --webAllowCancel} and the cluster secret.
   */
  Response cancel(List<String> path) {
    String id = path.get(1);
    return found(
        view.cancel(id)
            .map(
                state ->
                    new JsonWriter()
                        .beginObject()
                        .field("jobId", id)
                        .field("state", state)
                        .endObject()
                        .toString()),
        "job",
        id);
  }

  private static Response ok(String json) {
    return Response.json(200, json);
  }

  private static Response found(Optional<String> json, String what, String id) {
    return json.map(RestApi::ok).orElseGet(() -> Response.error(404, "no " + what + " " + id));
  }

  static String overview(Overview o, boolean cancelAllowed) {
    JsonWriter w =
        new JsonWriter()
            .beginObject()
            .field("version", o.version())
            .field("workers", o.workers())
            .field("slots", o.slots())
            .field("cancelAllowed", cancelAllowed)
            .name("jobsByState")
            .beginObject();
    for (Map.Entry<String, Integer> e : new TreeMap<>(o.jobsByState()).entrySet()) {
      w.field(e.getKey(), e.getValue().longValue());
    }
    return w.endObject().endObject().toString();
  }

  static String jobs(List<JobSummary> jobs) {
    JsonWriter w = new JsonWriter().beginObject().name("jobs").beginArray();
    for (JobSummary job : jobs) {
      summary(w, job);
    }
    return w.endArray().endObject().toString();
  }

  private static void summary(JsonWriter w, JobSummary job) {
    w.beginObject()
        .field("id", job.id())
        .field("name", job.name())
        .field("state", job.state())
        .field("startMillis", job.startMillis())
        .field("endMillis", job.endMillis() < 0 ? null : Long.valueOf(job.endMillis()))
        .field("attempt", job.attempt())
        .field("restarts", job.restarts())
        .endObject();
  }

  static String job(JobDetail job) {
    return job(job, List.of());
  }

  static String job(JobDetail job, List<Bottlenecks.Bottleneck> bottlenecks) {
    JsonWriter w = new JsonWriter().beginObject().name("job");
    summary(w, job.summary());
    w.field("maxParallelism", job.maxParallelism()).name("stages").beginArray();
    for (JobDetail.Stage stage : job.stages()) {
      w.beginObject()
          .field("id", stage.id())
          .field("name", stage.name())
          .field("parallelism", stage.parallelism())
          .name("steps")
          .beginArray();
      for (String step : stage.steps()) {
        w.value(step);
      }
      w.endArray().endObject();
    }
    w.endArray().name("edges").beginArray();
    for (JobDetail.Edge edge : job.edges()) {
      w.beginObject()
          .field("id", edge.id())
          .field("from", edge.from())
          .field("to", edge.to())
          .field("kind", edge.kind())
          .endObject();
    }
    w.endArray().name("bottlenecks").beginArray();
    for (Bottlenecks.Bottleneck b : bottlenecks) {
      w.beginObject()
          .field("stage", b.stage())
          .field("name", b.name())
          .field("busyMillisPerSecond", b.busyMillisPerSecond())
          .name("backpressuredUpstream")
          .beginArray();
      for (int upstream : b.backpressuredUpstream()) {
        w.value(upstream);
      }
      w.endArray().endObject();
    }
    w.endArray().name("options").beginObject();
    for (Map.Entry<String, String> e : new TreeMap<>(job.options()).entrySet()) {
      w.field(e.getKey(), e.getValue());
    }
    return w.endObject().endObject().toString();
  }

  static String stage(StageDetail stage) {
    JsonWriter w =
        new JsonWriter()
            .beginObject()
            .field("jobId", stage.jobId())
            .field("id", stage.stageId())
            .field("name", stage.name())
            .field("parallelism", stage.parallelism())
            .name("steps")
            .beginArray();
    for (String step : stage.steps()) {
      w.value(step);
    }
    w.endArray().name("subtasks").beginArray();
    for (StageDetail.SubtaskStatus s : stage.subtasks()) {
      w.beginObject()
          .field("subtask", s.subtask())
          .field("attempt", s.attempt())
          .field("worker", s.worker())
          .field("ended", s.ended())
          .field("events", known(s.events()))
          .field("inputWatermarkMillis", s.inputWatermarkMillis())
          .field("outputWatermarkMillis", s.outputWatermarkMillis())
          .field("busyMillisPerSecond", known(s.busyMillisPerSecond()))
          .field("idleMillisPerSecond", known(s.idleMillisPerSecond()))
          .field("backpressuredMillisPerSecond", known(s.backpressuredMillisPerSecond()))
          .field("recordsIn", s.recordsIn())
          .field("bytesIn", s.bytesIn())
          .field("recordsOut", s.recordsOut())
          .field("bytesOut", s.bytesOut())
          .endObject();
    }
    return w.endArray().endObject().toString();
  }

  private static Long known(long value) {
    return value < 0 ? null : Long.valueOf(value);
  }

  static String metrics(String jobId, JobMetrics metrics) {
    JsonWriter w = new JsonWriter().beginObject().field("jobId", jobId).name("counters").beginArray();
    for (JobMetrics.Counter c : metrics.counters()) {
      key(w.beginObject(), c.step(), c.namespace(), c.name())
          .field("attempted", c.attempted())
          .field("committed", c.committed())
          .endObject();
    }
    w.endArray().name("distributions").beginArray();
    for (JobMetrics.Distribution d : metrics.distributions()) {
      key(w.beginObject(), d.step(), d.namespace(), d.name()).name("attempted");
      distribution(w, d.attempted());
      w.name("committed");
      distribution(w, d.committed());
      w.endObject();
    }
    w.endArray().name("gauges").beginArray();
    for (JobMetrics.Gauge g : metrics.gauges()) {
      key(w.beginObject(), g.step(), g.namespace(), g.name())
          .field("attempted", g.attempted())
          .field("committed", g.committed())
          .endObject();
    }
    return w.endArray().endObject().toString();
  }

  private static JsonWriter key(JsonWriter w, String step, String namespace, String name) {
    return w.field("step", step).field("namespace", namespace).field("name", name);
  }

  private static void distribution(JsonWriter w, JobMetrics.DistributionValue d) {
    if (d == null) {
      w.nullValue();
      return;
    }
    w.beginObject()
        .field("count", d.count())
        .field("sum", d.sum())
        .field("min", d.min())
        .field("max", d.max())
        .endObject();
  }

  static String checkpoints(String jobId, CheckpointHistoryView c) {
    JsonWriter w =
        new JsonWriter()
            .beginObject()
            .field("jobId", jobId)
            .field("enabled", c.enabled())
            .name("counts")
            .beginObject()
            .field("completed", c.completed())
            .field("failed", c.failed())
            .endObject()
            .field(
                "latestCompletedId",
                c.latestCompletedId() < 0 ? null : Long.valueOf(c.latestCompletedId()))
            .name("history")
            .beginArray();
    for (CheckpointHistoryView.Checkpoint k : c.history()) {
      historyEntry(w, k);
    }
    return w.endArray().endObject().toString();
  }

  static String checkpoint(String jobId, CheckpointDetailView c) {
    JsonWriter w =
        new JsonWriter()
            .beginObject()
            .field("jobId", jobId)
            .field("id", c.id())
            .field("status", c.status())
            .name("summary");
    if (c.summary() == null) {
      w.value((String) null);
    } else {
      historyEntry(w, c.summary());
    }
    w.name("stages").beginArray();
    for (CheckpointDetailView.Stage stage : c.stages()) {
      w.beginObject()
          .field("id", stage.id())
          .field("name", stage.name())
          .name("subtasks")
          .beginArray();
      for (CheckpointDetailView.Subtask s : stage.subtasks()) {
        w.beginObject()
            .field("subtask", s.subtask())
            .field("status", s.status())
            .field("ackMillis", s.ackMillis() < 0 ? null : Long.valueOf(s.ackMillis()))
            .field(
                "startDelayMillis",
                s.startDelayMillis() < 0 ? null : Long.valueOf(s.startDelayMillis()))
            .field("alignmentMillis", s.alignmentMillis())
            .field("syncMillis", s.syncMillis())
            .field("asyncMillis", s.asyncMillis())
            .field("stateBytes", s.stateBytes())
            .field("uploadedBytes", s.uploadedBytes())
            .field("failureReason", s.failureReason())
            .endObject();
      }
      w.endArray().endObject();
    }
    return w.endArray().endObject().toString();
  }

  private static void historyEntry(JsonWriter w, CheckpointHistoryView.Checkpoint k) {
    w.beginObject()
        .field("id", k.id())
        .field("attempt", k.attempt())
        .field("status", k.status())
        .field("triggeredAtMillis", k.triggeredAtMillis())
        .field("durationMillis", k.durationMillis())
        .field("sizeBytes", k.sizeBytes())
        .field("incrementalSizeBytes", k.incrementalSizeBytes())
        .field("maxSyncMillis", k.maxSyncMillis())
        .field("maxAsyncMillis", k.maxAsyncMillis())
        .field("failureReason", k.failureReason())
        .endObject();
  }

  /** Each stage of {@code job} with its subtasks, as the view gives them now. */
  private List<StageDetail> stagesOf(JobDetail job) {
    return view.stages(job.summary().id()).orElse(List.of());
  }

  /**
   * Beam's smallest timestamp in milliseconds ({@code BoundedWindow.TIMESTAMP_MIN_VALUE}): a
   * watermark there has not started.
   */
  static final long NO_WATERMARK = -9223372036854775L;

  /**
   * The end of the global window in milliseconds ({@code GlobalWindow.INSTANCE.maxTimestamp()}):
   * a watermark there or beyond has reached the end of its input, and lags nothing.
   */
  static final long END_OF_TIME = 9223372036854775L - 24L * 60 * 60 * 1000;

  /**
   * Each stage's and subtask's watermarks and their lag to {@code nowMillis}; a stage's are the
   * smallest of its subtasks'.
   */
  static String watermarks(String jobId, List<StageDetail> stages, long nowMillis) {
    JsonWriter w =
        new JsonWriter()
            .beginObject()
            .field("jobId", jobId)
            .field("nowMillis", nowMillis)
            .name("stages")
            .beginArray();
    for (StageDetail stage : stages) {
      long input = Long.MAX_VALUE;
      long output = Long.MAX_VALUE;
      for (StageDetail.SubtaskStatus s : stage.subtasks()) {
        input = Math.min(input, s.inputWatermarkMillis());
        output = Math.min(output, s.outputWatermarkMillis());
      }
      boolean reported = !stage.subtasks().isEmpty();
      w.beginObject()
          .field("id", stage.stageId())
          .field("name", stage.name())
          .field("inputWatermarkMillis", reported ? watermark(input) : null)
          .field("outputWatermarkMillis", reported ? watermark(output) : null)
          .field("outputLagMillis", reported ? lag(output, nowMillis) : null)
          .name("subtasks")
          .beginArray();
      for (StageDetail.SubtaskStatus s : stage.subtasks()) {
        w.beginObject()
            .field("subtask", s.subtask())
            .field("inputWatermarkMillis", watermark(s.inputWatermarkMillis()))
            .field("outputWatermarkMillis", watermark(s.outputWatermarkMillis()))
            .field("outputLagMillis", lag(s.outputWatermarkMillis(), nowMillis))
            .endObject();
      }
      w.endArray().endObject();
    }
    return w.endArray().endObject().toString();
  }

  /** Null for a watermark that has not started. */
  private static Long watermark(long millis) {
    return millis <= NO_WATERMARK ? null : Long.valueOf(millis);
  }

  /** How far {@code watermark} is behind the wall clock; null before it starts or at its end. */
  private static Long lag(long watermark, long nowMillis) {
    if (watermark <= NO_WATERMARK || watermark >= END_OF_TIME) {
      return null;
    }
    return Math.max(0, nowMillis - watermark);
  }

  static String exceptions(String jobId, List<JobException> all) {
    List<JobException> shown =
        all.size() <= MAX_EXCEPTIONS ? all : all.subList(all.size() - MAX_EXCEPTIONS, all.size());
    JsonWriter w =
        new JsonWriter()
            .beginObject()
            .field("jobId", jobId)
            .field("total", all.size())
            .name("exceptions")
            .beginArray();
    for (JobException e : shown) {
      w.beginObject()
          .field("timeMillis", e.timeMillis())
          .field("attempt", e.attempt())
          .field("cause", e.cause())
          .field("restarted", e.restarted())
          .field("stage", e.stage())
          .field("subtask", e.subtask())
          .field("step", e.step())
          .field("worker", e.worker())
          .endObject();
    }
    return w.endArray().endObject().toString();
  }

  static String worker(WorkerDetail worker) {
    WorkerSummary summary = worker.summary();
    JsonWriter w =
        new JsonWriter()
            .beginObject()
            .field("name", summary.name())
            .field("slots", summary.slots())
            .field("exchangeAddress", summary.exchangeAddress())
            .field("millisSinceHeartbeat", known(summary.millisSinceHeartbeat()))
            .field("runningSubtasks", worker.runningSubtasks())
            .field("heapUsedBytes", known(worker.heapUsedBytes()))
            .field("heapMaxBytes", known(worker.heapMaxBytes()))
            .field("stateDirFreeBytes", known(worker.stateDirFreeBytes()))
            .name("rocksDb");
    WorkerDetail.RocksDbMemory rocksDb = worker.rocksDb();
    if (rocksDb == null) {
      w.value((String) null);
    } else {
      w.beginObject()
          .field("instances", rocksDb.instances())
          .field("blockCacheBytes", rocksDb.blockCacheBytes())
          .field("memtableBytes", rocksDb.memtableBytes())
          .field("tableReadersBytes", rocksDb.tableReadersBytes())
          .endObject();
    }
    return w.endObject().toString();
  }

  static String workers(List<WorkerSummary> workers) {
    JsonWriter w = new JsonWriter().beginObject().name("workers").beginArray();
    for (WorkerSummary worker : workers) {
      w.beginObject()
          .field("name", worker.name())
          .field("slots", worker.slots())
          .field("exchangeAddress", worker.exchangeAddress())
          .field(
              "millisSinceHeartbeat",
              worker.millisSinceHeartbeat() < 0 ? null : Long.valueOf(worker.millisSinceHeartbeat()))
          .endObject();
    }
    return w.endArray().endObject().toString();
  }
}
