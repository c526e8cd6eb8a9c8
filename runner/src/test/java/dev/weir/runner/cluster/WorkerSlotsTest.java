package dev.weir.runner.cluster;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.nio.file.Paths;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.values.PCollection;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.Timeout;

/** Workers' {@code --slots} reach the coordinator and bound what a job may ask of the cluster. */
public class WorkerSlotsTest {
  @Rule public Timeout timeout = Timeout.seconds(300);

  private static LocalProcessCluster cluster;

  @BeforeClass
  public static void startCluster() throws Exception {
    cluster = LocalProcessCluster.withCoordinatorInThisJvm(Paths.get("target/worker-slots"));
    try {
      cluster.startWorker("worker-a", "--slots=1");
      cluster.startWorker("worker-b", "--slots=2");
    } catch (Exception e) {
      stopCluster();
      throw e;
    }
  }

  @AfterClass
  public static void stopCluster() throws InterruptedException {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }

  private static Pipeline pipeline(int parallelism) {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=TestWeirRunner",
                    "--weirMaster=" + cluster.master(),
                    cluster.securityArgument(),
                    "--parallelism=" + parallelism)
                .create());
    PCollection<Long> count = p.apply(GenerateSequence.from(0).to(1_000)).apply(Count.globally());
    PAssert.thatSingleton(count).isEqualTo(1_000L);
    return p;
  }

  @Test
  public void aJobThatFitsTheWorkersSlotsRuns() {
    assertEquals(PipelineResult.State.DONE, pipeline(3).run().waitUntilFinish());
  }

  @Test
  public void aJobNeedingMoreSlotsThanTheClusterHasIsRefusedAtSubmissionSayingWhy() {
    Pipeline p = pipeline(4);
    IllegalStateException refused = assertThrows(IllegalStateException.class, p::run);
    assertThat(refused.getMessage(), containsString("did not accept the job"));
    assertThat(refused.getMessage(), containsString("needs 4 slots"));
    assertThat(refused.getMessage(), containsString("have 3 in all (worker-a: 1, worker-b: 2)"));
    assertEquals(0, cluster.coordinatorInThisJvm().knownJobs());
  }
}
