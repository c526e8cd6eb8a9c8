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
  public void parallelismDefaultsToOneSubtaskPerCoreOfTheEmbeddedCluster() {
    int cores = Runtime.getRuntime().availableProcessors();
    assertEquals(cores, check().parallelism());
    assertEquals(EmbeddedCluster.slots(3, cores), check("--embeddedWorkers=3").parallelism());
  }

  @Test
  public void embeddedSlotsAreTheCoresSplitOverTheWorkersAtLeastOneEach() {
    assertEquals(2, EmbeddedCluster.slots(1, 2));
    assertEquals(2, EmbeddedCluster.slots(2, 2));
    assertEquals(3, EmbeddedCluster.slots(3, 2));
    assertEquals(16, EmbeddedCluster.slots(1, 16));
    assertEquals(15, EmbeddedCluster.slots(3, 16));
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
    assertRejectedNaming("--insecure", "--insecure", "--securityDir=/tmp/weir-security");
  }

  @Test
  public void masterIsTheSameOptionAsWeirMaster() {
    WeirPipelineOptions viaAlias =
        PipelineOptionsFactory.fromArgs("--master=127.0.0.1:8099", "--insecure")
            .as(WeirPipelineOptions.class);
    assertEquals("127.0.0.1:8099", WeirOptionsValidator.master(viaAlias));
    WeirPipelineOptions both =
        PipelineOptionsFactory.fromArgs(
                "--master=127.0.0.1:8099", "--weirMaster=127.0.0.1:8099", "--insecure")
            .as(WeirPipelineOptions.class);
    assertEquals("127.0.0.1:8099", WeirOptionsValidator.master(both));
    assertRejectedNaming("--master", "--master=localhost", "--insecure");
    IllegalArgumentException differ =
        assertThrows(
            IllegalArgumentException.class,
            () -> check("--master=127.0.0.1:8099", "--weirMaster=127.0.0.1:9000", "--insecure"));
    assertThat(differ.getMessage(), containsString("--master=127.0.0.1:8099"));
    assertThat(differ.getMessage(), containsString("--weirMaster=127.0.0.1:9000"));
    assertThat(differ.getMessage(), containsString("different coordinators"));
  }

  @Test
  public void filesToStageIsBeamsOwnDeclaration() throws Exception {
    // Declared once, by Beam's FileStagingOptions (which the Flink runner's options extend too),
    // so both runners on one classpath agree on it.
    assertEquals(
        org.apache.beam.sdk.options.FileStagingOptions.class,
        WeirPipelineOptions.class.getMethod("getFilesToStage").getDeclaringClass());
    WeirPipelineOptions options =
        PipelineOptionsFactory.fromArgs("--filesToStage=/a.jar,/b.jar")
            .as(WeirPipelineOptions.class);
    assertEquals(java.util.List.of("/a.jar", "/b.jar"), options.getFilesToStage());
  }

  @Test
  public void aMasterWithoutCredentialsIsRejectedNamingSecurityDirAndInsecure() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> check("--weirMaster=127.0.0.1:8099"));
    assertThat(e.getMessage(), containsString("--securityDir=DIR"));
    assertThat(e.getMessage(), containsString("--insecure"));
    check("--weirMaster=127.0.0.1:8099", "--insecure");
    check("--weirMaster=127.0.0.1:8099", "--securityDir=/tmp/weir-security");
  }

  @Test
  public void checkpointsAreOffByDefaultAndFailuresAreNotRetried() {
    CheckpointSettings settings = check().checkpoints();
    assertEquals(false, settings.enabled());
    assertEquals(0, settings.retries());
    assertEquals(null, settings.checkpointDir());
  }

  @Test
  public void flinksUnsetValuesMeanWeirsDefaultsWhenCheckpointsAreOn() {
    CheckpointSettings settings =
        check("--checkpointingInterval=1000", "--checkpointDir=file:///tmp/weir-chk")
            .checkpoints();
    assertEquals(true, settings.enabled());
    assertEquals(1000, settings.intervalMillis());
    assertEquals(10 * 60 * 1000, settings.timeoutMillis());
    assertEquals(0, settings.minPauseMillis());
    assertEquals(3, settings.retries());
    assertEquals(1000, settings.retryDelayMillis());
    assertEquals(3, settings.retained());
    assertEquals("file:///tmp/weir-chk", settings.checkpointDir().toString());
  }

  @Test
  public void explicitCheckpointValuesAreKept() {
    CheckpointSettings settings =
        check(
                "--checkpointingInterval=10",
                "--checkpointDir=hdfs://namenode:8020/chk",
                "--checkpointTimeoutMillis=5000",
                "--minPauseBetweenCheckpoints=0",
                "--numberOfExecutionRetries=0",
                "--executionRetryDelay=0",
                "--retainedCheckpoints=1")
            .checkpoints();
    assertEquals(10, settings.intervalMillis());
    assertEquals(5000, settings.timeoutMillis());
    assertEquals(0, settings.retries());
    assertEquals(0, settings.retryDelayMillis());
    assertEquals(1, settings.retained());
  }

  @Test
  public void retriesWithoutCheckpointsRestartFromScratch() {
    assertEquals(2, check("--numberOfExecutionRetries=2").checkpoints().retries());
  }

  @Test
  public void checkpointingIntervalBelowTenMillisIsRejected() {
    assertRejectedNaming(
        "--checkpointingInterval", "--checkpointingInterval=0", "--checkpointDir=file:///tmp/c");
    assertRejectedNaming(
        "--checkpointingInterval", "--checkpointingInterval=9", "--checkpointDir=file:///tmp/c");
    assertRejectedNaming(
        "--checkpointingInterval", "--checkpointingInterval=-2", "--checkpointDir=file:///tmp/c");
  }

  @Test
  public void checkpointDirIsRequiredWithAnIntervalAndMustBeAHadoopUri() {
    assertRejectedNaming("--checkpointDir", "--checkpointingInterval=1000");
    assertRejectedNaming(
        "--checkpointDir", "--checkpointingInterval=1000", "--checkpointDir=/tmp/no-scheme");
    assertRejectedNaming(
        "--checkpointDir", "--checkpointingInterval=1000", "--checkpointDir=ftp://host/chk");
    assertRejectedNaming(
        "--checkpointDir", "--checkpointingInterval=1000", "--checkpointDir=s3://bucket/chk");
    assertRejectedNaming(
        "--checkpointDir", "--checkpointingInterval=1000", "--checkpointDir=s3a:///no-bucket");
    assertRejectedNaming(
        "--checkpointDir", "--checkpointingInterval=1000", "--checkpointDir=file:relative");
    assertRejectedNaming(
        "--checkpointDir", "--checkpointingInterval=1000", "--checkpointDir=hdfs://nn:8020/a b");
    check("--checkpointingInterval=1000", "--checkpointDir=s3a://bucket/chk");
  }

  @Test
  public void atLeastOnceIsRefusedBecauseWeirOnlyAligns() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> check("--checkpointingMode=AT_LEAST_ONCE"));
    assertThat(e.getMessage(), containsString("--checkpointingMode"));
    assertThat(e.getMessage(), containsString("aligns"));
  }

  @Test
  public void moreThanOneConcurrentCheckpointIsRefused() {
    assertRejectedNaming("--numConcurrentCheckpoints", "--numConcurrentCheckpoints=2");
    assertRejectedNaming("--numConcurrentCheckpoints", "--numConcurrentCheckpoints=0");
  }

  @Test
  public void negativeTimesAndCountsOtherThanUnsetAreRejected() {
    assertRejectedNaming("--checkpointTimeoutMillis", "--checkpointTimeoutMillis=0");
    assertRejectedNaming("--checkpointTimeoutMillis", "--checkpointTimeoutMillis=-5");
    assertRejectedNaming("--minPauseBetweenCheckpoints", "--minPauseBetweenCheckpoints=-2");
    assertRejectedNaming("--numberOfExecutionRetries", "--numberOfExecutionRetries=-2");
    assertRejectedNaming("--executionRetryDelay", "--executionRetryDelay=-3");
    assertRejectedNaming("--retainedCheckpoints", "--retainedCheckpoints=0");
  }

  @Test
  public void restoreFromMustNameACheckpointOrSavepointDirectory() {
    assertRejectedNaming("--restoreFrom", "--restoreFrom=file:///tmp/chk/job-1");
    assertRejectedNaming("--restoreFrom", "--restoreFrom=file:///tmp/chk/job-1/chk-x");
    assertRejectedNaming("--restoreFrom", "--restoreFrom=/tmp/chk/job-1/chk-3");
    assertRejectedNaming("--restoreFrom", "--restoreFrom=file:///chk-3");
    assertEquals(
        "file:///tmp/chk/job-1/chk-3",
        check("--restoreFrom=file:///tmp/chk/job-1/chk-3").checkpoints().restoreFrom().toString());
    check("--restoreFrom=hdfs://nn:8020/chk/job-1/savepoint-12/");
  }
}
