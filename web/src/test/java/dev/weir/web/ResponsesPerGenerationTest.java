package dev.weir.web;

import static org.junit.Assert.assertEquals;

import dev.weir.web.view.CheckpointDetailView;
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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Over HTTP: a view with generations is read once per generation for {@code /metrics} and each
 * REST path, however many requests come; {@code watermarks} (lag to the clock at the request) and
 * a view without generations are read at every request.
 */
public class ResponsesPerGenerationTest {
  private final AtomicLong generation = new AtomicLong(1);
  private final AtomicInteger metricsReads = new AtomicInteger();
  private final AtomicInteger jobReads = new AtomicInteger();
  private WebServer server;
  private RawHttp http;

  /** {@link FakeClusterView} that counts its reads and has the generation the test sets. */
  private final class CountingView implements ClusterView {
    private final FakeClusterView fake = new FakeClusterView();
    private final boolean generations;

    CountingView(boolean generations) {
      this.generations = generations;
    }

    @Override
    public long generation() {
      return generations ? generation.get() : NO_GENERATION;
    }

    @Override
    public Overview overview() {
      return fake.overview();
    }

    @Override
    public List<JobSummary> jobs() {
      return fake.jobs();
    }

    @Override
    public Optional<JobDetail> job(String jobId) {
      jobReads.incrementAndGet();
      return fake.job(jobId);
    }

    @Override
    public Optional<StageDetail> stage(String jobId, int stageId) {
      return fake.stage(jobId, stageId);
    }

    @Override
    public Optional<JobMetrics> metrics(String jobId) {
      metricsReads.incrementAndGet();
      return fake.metrics(jobId);
    }

    @Override
    public Optional<CheckpointHistoryView> checkpoints(String jobId) {
      return fake.checkpoints(jobId);
    }

    @Override
    public Optional<CheckpointDetailView> checkpoint(String jobId, long checkpointId) {
      return fake.checkpoint(jobId, checkpointId);
    }

    @Override
    public Optional<List<JobException>> exceptions(String jobId) {
      return fake.exceptions(jobId);
    }

    @Override
    public List<WorkerSummary> workers() {
      return fake.workers();
    }
  }

  private void start(boolean generations) {
    server = WebServer.start(WebSettings.loopback(0), new CountingView(generations));
    http = new RawHttp(server.port());
  }

  @After
  public void stop() {
    if (server != null) {
      server.close();
    }
  }

  private String get(String path) throws Exception {
    RawHttp.Reply reply = http.get(path);
    assertEquals(path + ": " + reply.body(), 200, reply.status());
    return reply.body();
  }

  @Test
  public void metricsAndJobAreReadOncePerGeneration() throws Exception {
    start(true);
    String scrape = get("/metrics");
    String job = get("/api/v1/jobs/job-1");
    int metricsAfterFirst = metricsReads.get();
    int jobAfterFirst = jobReads.get();
    for (int i = 0; i < 5; i++) {
      assertEquals(scrape, get("/metrics"));
      assertEquals(job, get("/api/v1/jobs/job-1"));
    }
    assertEquals(metricsAfterFirst, metricsReads.get());
    assertEquals(jobAfterFirst, jobReads.get());

    generation.incrementAndGet();
    get("/metrics");
    get("/api/v1/jobs/job-1");
    assertEquals(2 * metricsAfterFirst, metricsReads.get());
    assertEquals(2 * jobAfterFirst, jobReads.get());
  }

  @Test
  public void watermarksAreReadAtEveryRequest() throws Exception {
    start(true);
    get("/api/v1/jobs/job-1/watermarks");
    int once = jobReads.get();
    get("/api/v1/jobs/job-1/watermarks");
    assertEquals(2 * once, jobReads.get());
  }

  @Test
  public void aViewWithoutGenerationsIsReadAtEveryRequest() throws Exception {
    start(false);
    get("/metrics");
    int once = metricsReads.get();
    get("/metrics");
    assertEquals(2 * once, metricsReads.get());
  }
}
