package dev.weir.benchmarks;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertThrows;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.junit.Test;

/** The benchmark pipeline gives the closed-form totals on Weir, and a wrong total fails loudly. */
public class GroupByKeySumPipelineTest {
  private final RunnerOptions options = new RunnerOptions(new String[] {"--parallelism=2"});

  @Test
  public void sumsEveryKeyOnWeir() {
    GroupByKeySumPipeline gbk = new GroupByKeySumPipeline(10_000, 97);
    PipelineResult result = run(gbk.create(options.forRunner("WeirRunner")));
    gbk.verify(result);
  }

  @Test
  public void fewerElementsThanKeys() {
    GroupByKeySumPipeline gbk = new GroupByKeySumPipeline(5, 1000);
    gbk.verify(run(gbk.create(options.forRunner("WeirRunner"))));
  }

  @Test
  public void verifyRejectsAWrongSum() {
    PipelineResult result =
        run(new GroupByKeySumPipeline(1_000, 10).create(options.forRunner("DirectRunner")));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> new GroupByKeySumPipeline(1_001, 10).verify(result));
    assertThat(e.getMessage(), containsString("WRONG RESULT"));
  }

  private static PipelineResult run(Pipeline p) {
    PipelineResult result = p.run();
    result.waitUntilFinish();
    return result;
  }
}
