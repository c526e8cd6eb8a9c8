package dev.weir.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Test;

public class WeirOptionsValidatorTest {

  private static CheckedOptions check(String... args) {
    return WeirOptionsValidator.validate(
        PipelineOptionsFactory.fromArgs(args).as(WeirPipelineOptions.class));
  }

  private static void assertRejectedNaming(String option, String... args) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> check(args));
    assertThat(e.getMessage(), containsString(option));
  }

  @Test
  public void parallelismDefaultsToOneSubtaskPerEmbeddedWorker() {
    assertEquals(3, check("--embeddedWorkers=3").parallelism());
  }

  @Test
  public void maxParallelismDefaultsTo128UpToAParallelismOf128() {
    assertEquals(128, check("--parallelism=128").maxParallelism());
    assertEquals(128, check("--parallelism=1").maxParallelism());
  }

  @Test
  public void maxParallelismDefaultsToThePowerOfTwoAtOrAboveOneAndAHalfTimesALargerParallelism() {
    assertEquals(256, check("--parallelism=129").maxParallelism());
    assertEquals(512, check("--parallelism=200").maxParallelism());
    assertEquals(32768, check("--parallelism=30000").maxParallelism());
  }

  @Test
  public void anExplicitMaxParallelismIsKept() {
    assertEquals(7, check("--parallelism=2", "--maxParallelism=7").maxParallelism());
  }

  @Test
  public void stateBackendNamesAreReadAsTheFlinkRunnerReadsThem() {
    assertEquals("rocksdb", check().stateBackend());
    assertEquals("rocksdb", check("--stateBackend=RocksDB").stateBackend());
    assertEquals("memory", check("--stateBackend=memory").stateBackend());
    assertEquals("memory", check("--stateBackend=filesystem").stateBackend());
  }

  @Test
  public void badValuesAreRejectedNamingTheOption() {
    assertRejectedNaming("--embeddedWorkers", "--embeddedWorkers=0");
    assertRejectedNaming("--parallelism", "--parallelism=0");
    assertRejectedNaming("--maxParallelism", "--maxParallelism=0");
    assertRejectedNaming("--maxParallelism", "--maxParallelism=40000");
    assertRejectedNaming("--maxParallelism", "--parallelism=8", "--maxParallelism=4");
    assertRejectedNaming("--stateBackend", "--stateBackend=heap");
    assertRejectedNaming("--weirMaster", "--weirMaster=localhost");
  }
}
