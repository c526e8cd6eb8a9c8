package dev.weir.portability;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.Struct;
import org.junit.Test;

public class JobTableTest {
  private final AtomicLong clock = new AtomicLong(1_000);

  private PortableJob job(String id) {
    return new PortableJob(
        id, id, RunnerApi.Pipeline.getDefaultInstance(), Struct.getDefaultInstance(), clock.get());
  }

  @Test
  public void anEndedJobIsForgottenAfterTheRetentionButARunningOneIsKept() {
    JobTable table = new JobTable(Duration.ofSeconds(60), 10, clock::get);
    PortableJob ended = job("ended");
    PortableJob running = job("running");
    table.add(ended);
    table.add(running);
    ended.setState(JobApi.JobState.Enum.STARTING, clock.get());
    ended.setState(JobApi.JobState.Enum.DONE, clock.get());
    running.setState(JobApi.JobState.Enum.RUNNING, clock.get());

    clock.addAndGet(59_999);
    assertNotNull(table.get("ended"));
    clock.addAndGet(1);
    assertNull(table.get("ended"));
    assertNotNull(table.get("running"));
  }

  @Test
  public void aPreparedJobThatIsNeverRunIsForgottenAfterTheRetention() {
    JobTable table = new JobTable(Duration.ofSeconds(60), 10, clock::get);
    table.add(job("prepared"));

    clock.addAndGet(60_000);

    assertNull(table.get("prepared"));
  }

  @Test
  public void eachForgottenJobIsHandedToTheCallbackOnceSoItsArtifactsCanGo() {
    List<String> forgotten = new ArrayList<>();
    JobTable table =
        new JobTable(Duration.ofSeconds(60), 1, clock::get, job -> forgotten.add(job.id()));
    PortableJob ended = job("ended");
    table.add(ended);
    ended.setState(JobApi.JobState.Enum.STARTING, clock.get());
    ended.setState(JobApi.JobState.Enum.DONE, clock.get());
    // Full: the ended job makes room.
    table.add(job("prepared"));
    assertEquals(List.of("ended"), forgotten);

    clock.addAndGet(60_000);
    table.all();
    table.all();

    assertEquals(List.of("ended", "prepared"), forgotten);
  }

  @Test
  public void aFullTableMakesRoomByForgettingTheOldestEndedJob() {
    JobTable table = new JobTable(Duration.ofHours(1), 2, clock::get);
    PortableJob older = job("older");
    PortableJob newer = job("newer");
    table.add(older);
    table.add(newer);
    older.setState(JobApi.JobState.Enum.FAILED, clock.get());
    clock.addAndGet(10);
    newer.setState(JobApi.JobState.Enum.DONE, clock.get());

    table.add(job("third"));

    assertNull(table.get("older"));
    assertNotNull(table.get("newer"));
    assertEquals(2, table.all().size());
  }

  @Test
  public void aTableFullOfRunningJobsRefusesANewOne() {
    JobTable table = new JobTable(Duration.ofHours(1), 1, clock::get);
    PortableJob running = job("running");
    table.add(running);
    running.setState(JobApi.JobState.Enum.RUNNING, clock.get());

    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> table.add(job("another")));
    assertEquals("The job server holds 1 jobs that have not ended, its limit", refused.getMessage());
  }
}
