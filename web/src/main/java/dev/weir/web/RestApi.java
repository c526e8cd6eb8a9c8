package dev.weir.web;

import dev.weir.web.view.CheckpointHistoryView;
import dev.weir.web.view.ClusterView;
import dev.weir.web.view.JobDetail;
import dev.weir.web.view.JobException;
import dev.weir.web.view.JobMetrics;
import dev.weir.web.view.JobSummary;
import dev.weir.web.view.Overview;
import dev.weir.web.view.StageDetail;
import dev.weir.web.view.WorkerSummary;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The JSON API under {@code /api/v1}, read from a {@link ClusterView}: {@code overview}, {@code
 * jobs}, {@code jobs/{id}}, {@code jobs/{id}/stages/{stageId}}, {@code jobs/{id}/metrics}, {@code jobs/{id}/checkpoints}, {@code
 * jobs/{id}/exceptions}, {@code workers}. Every response's shape has a JSON schema in {@code
 * dev/weir/web/schemas/} (the file names are in {@code docs/rest-api.md}); an unknown path or id
 * is a JSON 404.
 */
final class RestApi {
  /** Failures shown per job, newest: the view may keep more. */
  static final int MAX_EXCEPTIONS = 100;

  private final ClusterView view;

  RestApi(ClusterView view) {
    this.view = view;
  }

  /** {@code path} without its {@code api/v1} prefix. */
  Response get(List<String> path) {
    if (path.size() == 1 && path.get(0).equals("overview")) {
      return ok(overview(view.overview()));
    }
    if (path.size() == 1 && path.get(0).equals("workers")) {
      return ok(workers(view.workers()));
    }
    if (path.size() == 1 && path.get(0).equals("jobs")) {
      return ok(jobs(view.jobs()));
    }
    if (path.size() >= 2 && path.get(0).equals("jobs")) {
      String id = path.get(1);
      if (path.size() == 2) {
        return found(view.job(id).map(RestApi::job), "job", id);
      }
      if (path.size() == 3) {
        switch (path.get(2)) {
          case "metrics":
            return found(view.metrics(id).map(m -> metrics(id, m)), "job", id);
          case "checkpoints":
            return found(view.checkpoints(id).map(c -> checkpoints(id, c)), "job", id);
          case "exceptions":
            return found(view.exceptions(id).map(e -> exceptions(id, e)), "job", id);
          default:
            break;
        }
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

  private static Response ok(String json) {
    return Response.json(200, json);
  }

  private static Response found(Optional<String> json, String what, String id) {
    return json.map(RestApi::ok).orElseGet(() -> Response.error(404, "no " + what + " " + id));
  }

  static String overview(Overview o) {
    JsonWriter w =
        new JsonWriter()
            .beginObject()
            .field("version", o.version())
            .field("workers", o.workers())
            .field("slots", o.slots())
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
          .field("events", s.events())
          .field("inputWatermarkMillis", s.inputWatermarkMillis())
          .field("outputWatermarkMillis", s.outputWatermarkMillis())
          .field("busyMillisPerSecond", known(s.busyMillisPerSecond()))
          .field("idleMillisPerSecond", known(s.idleMillisPerSecond()))
          .field("backpressuredMillisPerSecond", known(s.backpressuredMillisPerSecond()))
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
            .field("aborted", c.aborted())
            .endObject()
            .field(
                "latestCompletedId",
                c.latestCompletedId() < 0 ? null : Long.valueOf(c.latestCompletedId()))
            .name("history")
            .beginArray();
    for (CheckpointHistoryView.Checkpoint k : c.history()) {
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
    return w.endArray().endObject().toString();
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
          .endObject();
    }
    return w.endArray().endObject().toString();
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
