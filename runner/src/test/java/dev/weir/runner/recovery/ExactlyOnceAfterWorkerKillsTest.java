package dev.weir.runner.recovery;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.runner.cluster.LocalProcessCluster;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.rules.Timeout;

/**
 * The kill test of issue 13: a coordinator and three worker JVMs run an unbounded keyed job
 * (deterministic rate-limited source → keyed counting with state and timers → a sink that writes
 * only stable input) with a checkpoint every second, while workers are killed with {@code kill -9}
 * and replaced. Afterwards every element must have taken effect exactly once. The same job with a
 * sink that does not ask for stable input shows that the check can fail; with checkpoints on HDFS
 * (an in-process MiniDFSCluster the workers reach over loopback) and on S3 (S3Proxy on loopback)
 * it survives two kills, and a kill without a replacement leaves it to finish on two workers.
 */
public class ExactlyOnceAfterWorkerKillsTest {
  private static final int KEYS = 10_000;

  @Rule public Timeout timeout = Timeout.seconds(900);
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void everyElementTakesEffectExactlyOnceThroughFiveWorkerKills() throws Exception {
    long total = 1_000_000;
    long seed = System.nanoTime();
    Path ledger = tmp.newFolder("ledger").toPath();
    URI checkpoints = tmp.newFolder("checkpoints").toURI();
    killWorkersWhileRunning(total, 5, true, seed, ledger, checkpoints, Map.of(), List.of());
    Ledger judged = Ledger.read(ledger, total, KEYS);
    assertTrue("seed " + seed + ": " + judged, judged.exactlyOnce());
  }

  @Test
  public void withCheckpointsOnHdfsEveryElementTakesEffectExactlyOnceThroughTwoWorkerKills()
      throws Exception {
    long total = 300_000;
    long seed = System.nanoTime();
    Path ledger = tmp.newFolder("ledger").toPath();
    Configuration conf = new Configuration();
    File base = tmp.newFolder("hdfs");
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getAbsolutePath());
    // Only the RPC ports, all on loopback.
    conf.set("dfs.namenode.http-address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.set("dfs.datanode.address", "127.0.0.1:0");
    conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
    MiniDFSCluster hdfs = new MiniDFSCluster.Builder(conf, base).numDataNodes(1).build();
    try {
      hdfs.waitActive();
      URI checkpoints = URI.create(hdfs.getURI() + "/checkpoints");
      killWorkersWhileRunning(total, 2, true, seed, ledger, checkpoints, Map.of(), List.of());
      assertTrue(
          "checkpoints went to HDFS", latestCompletedCheckpoint(checkpoints, Map.of()) > 0);
    } finally {
      hdfs.shutdown(true);
    }
    Ledger judged = Ledger.read(ledger, total, KEYS);
    assertTrue("seed " + seed + ": " + judged, judged.exactlyOnce());
  }

  /**
   * S3 through S3A, against S3Proxy on loopback (a local directory as its store). The coordinator
   * and the workers find the endpoint and credentials in a {@code core-site.xml} on their class
   * path, as a deployment's Hadoop configuration directory would give them.
   */
  @Test
  public void withCheckpointsOnS3EveryElementTakesEffectExactlyOnceThroughTwoWorkerKills()
      throws Exception {
    long total = 300_000;
    long seed = System.nanoTime();
    Path ledger = tmp.newFolder("ledger").toPath();
    try (LoopbackS3 s3 = LoopbackS3.start(tmp.newFolder("s3").toPath(), "weir-checkpoints")) {
      Path hadoopConf = tmp.newFolder("hadoop-conf").toPath();
      s3.writeCoreSite(hadoopConf);
      URI checkpoints = s3.uri("checkpoints");
      killWorkersWhileRunning(
          total, 2, true, seed, ledger, checkpoints, s3.hadoopProperties(), List.of(hadoopConf));
      assertTrue(
          "checkpoints went to S3",
          latestCompletedCheckpoint(checkpoints, s3.hadoopProperties()) > 0);
    }
    Ledger judged = Ledger.read(ledger, total, KEYS);
    assertTrue("seed " + seed + ": " + judged, judged.exactlyOnce());
  }

  /**
   * A killed worker is not replaced: the job restores from its checkpoint onto the two workers
   * left, which then run the dead worker's subtasks (and so its key groups) besides their own.
   */
  @Test
  public void afterAKillWithoutReplacementTheJobGoesOnOnTheWorkersLeftExactlyOnce()
      throws Exception {
    long total = 200_000;
    long seed = System.nanoTime();
    Path ledger = tmp.newFolder("ledger").toPath();
    URI checkpoints = tmp.newFolder("checkpoints").toURI();
    killWorkersWhileRunning(total, 1, false, seed, ledger, checkpoints, Map.of(), List.of());
    Ledger judged = Ledger.read(ledger, total, KEYS);
    assertTrue("seed " + seed + ": " + judged, judged.exactlyOnce());
  }

  /**
   * Runs the job on three worker JVMs with a checkpoint every second into {@code checkpoints} and
   * kills a random worker {@code kills} times, each after the job recovered from the kill before
   * (a checkpoint completed since), starting a replacement each time if {@code replace}; returns
   * once the job is done. {@code hadoopProperties} reach {@code checkpoints} from this JVM, {@code
   * classpathFirst} go before the class path of the cluster's processes.
   */
  private void killWorkersWhileRunning(
      long total,
      int kills,
      boolean replace,
      long seed,
      Path ledger,
      URI checkpoints,
      Map<String, String> hadoopProperties,
      List<Path> classpathFirst)
      throws Exception {
    Random random = new Random(seed);
    try (LocalProcessCluster cluster = startCluster(classpathFirst)) {
      PipelineResult result =
          run(cluster, total, 20_000, new LedgerSink.Stable(ledger.toString()), checkpoints, 1000);
      int replacements = 0;
      for (int kill = 1; kill <= kills; kill++) {
        // Each kill after the job has recovered from the last one: a checkpoint completed since.
        awaitNewCheckpoint(checkpoints, hadoopProperties, result);
        Thread.sleep(500 + random.nextInt(2500));
        assertEquals(
            "kill " + kill + " (seed " + seed + ") must hit a running job",
            PipelineResult.State.RUNNING,
            result.getState());
        List<String> alive = cluster.liveWorkers();
        cluster.killWorker(alive.get(random.nextInt(alive.size())));
        if (replace) {
          replacements++;
          cluster.startWorker(
              "replacement-" + replacements, workerArgs("replacement-" + replacements));
        }
      }
      assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
      assertEquals(
          "workers alive at the end", replace ? 3 : 3 - kills, cluster.liveWorkers().size());
    }
  }

  @Test
  public void withoutStableInputAWorkerKillDuplicatesEffects() throws Exception {
    long total = 200_000;
    Path ledger = tmp.newFolder("ledger").toPath();
    URI checkpoints = tmp.newFolder("checkpoints").toURI();
    try (LocalProcessCluster cluster = startCluster(List.of())) {
      // One checkpoint early, then none for a minute: the kill restores from it for certain.
      PipelineResult result =
          run(cluster, total, 10_000, new LedgerSink.Unstable(ledger.toString()), checkpoints,
              1000, "--minPauseBetweenCheckpoints=60000");
      awaitNewCheckpoint(checkpoints, Map.of(), result);
      // Records written now come from after the checkpoint's barrier: the restore redoes them.
      long written = ledgerBytes(ledger);
      while (ledgerBytes(ledger) == written) {
        if (result.getState().isTerminal()) {
          throw new AssertionError("the job ended before the kill: " + result.getState());
        }
        Thread.sleep(20);
      }
      cluster.killWorker(cluster.liveWorkers().get(0));
      cluster.startWorker("replacement-1", workerArgs("replacement-1"));
      assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    }
    Ledger judged = Ledger.read(ledger, total, KEYS);
    assertEquals("nothing is lost either way: " + judged, 0, judged.lost);
    assertTrue("a sink without stable input must show duplicated effects: " + judged,
        judged.duplicated > 0);
  }

  private LocalProcessCluster startCluster(List<Path> classpathFirst) throws Exception {
    LocalProcessCluster cluster =
        LocalProcessCluster.withCoordinatorProcess(
            Paths.get("target", "recovery-logs", Long.toString(System.currentTimeMillis())),
            classpathFirst);
    try {
      for (String name : List.of("worker-a", "worker-b", "worker-c")) {
        cluster.startWorker(name, workerArgs(name));
      }
      return cluster;
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  private String[] workerArgs(String name) throws IOException {
    return new String[] {
      "--stateBackend=rocksdb",
      "--stateDirectory=" + tmp.getRoot().toPath().resolve("state-" + name),
      "--rocksDbBlockCacheMb=32",
      "--rocksDbWriteBufferMb=16"
    };
  }

  private static PipelineResult run(
      LocalProcessCluster cluster,
      long total,
      long elementsPerSecond,
      DoFn<KV<String, String>, Void> sink,
      URI checkpoints,
      long intervalMillis,
      String... extraArgs) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "--runner=WeirRunner",
                "--weirMaster=" + cluster.master(),
                cluster.securityArgument(),
                "--parallelism=3",
                "--checkpointingInterval=" + intervalMillis,
                "--checkpointDir=" + checkpoints,
                "--numberOfExecutionRetries=10",
                "--executionRetryDelay=200"));
    args.addAll(List.of(extraArgs));
    Pipeline p =
        Pipeline.create(PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).create());
    p.apply(Read.from(new SequencedKeySource(total, KEYS, 3, elementsPerSecond)))
        .apply(ParDo.of(new CountPerKeyFn()))
        .apply(ParDo.of(sink));
    return p.run();
  }

  /** Waits until a checkpoint newer than every one completed when called completes. */
  private static void awaitNewCheckpoint(
      URI checkpoints, Map<String, String> hadoopProperties, PipelineResult job) throws Exception {
    long before = latestCompletedCheckpoint(checkpoints, hadoopProperties);
    long deadline = System.currentTimeMillis() + 120_000;
    while (latestCompletedCheckpoint(checkpoints, hadoopProperties) == before) {
      if (job.getState().isTerminal() || System.currentTimeMillis() > deadline) {
        throw new AssertionError(
            "no checkpoint completed within 120 s; job " + job.getState());
      }
      Thread.sleep(50);
    }
  }

  /**
   * The id of the newest completed checkpoint under {@code checkpoints} (a {@code chk-<n>}
   * directory with its metadata written), or 0; retention removes old ones, so ids, not counts.
   * Retention may remove a directory while it is listed: the listing is then taken again.
   */
  private static long latestCompletedCheckpoint(
      URI checkpoints, Map<String, String> hadoopProperties) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return "file".equals(checkpoints.getScheme())
            ? latestLocalCheckpoint(Paths.get(checkpoints))
            : latestCheckpointThroughHadoop(checkpoints, hadoopProperties);
      } catch (IOException | RuntimeException e) {
        if (attempt == 20) {
          throw e;
        }
      }
    }
  }

  private static long latestLocalCheckpoint(Path checkpoints) throws IOException {
    if (!Files.exists(checkpoints)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(checkpoints)) {
      return files
          .filter(f -> f.getFileName().toString().equals("_metadata"))
          .map(f -> f.getParent().getFileName().toString())
          .filter(dir -> dir.startsWith("chk-"))
          .mapToLong(dir -> Long.parseLong(dir.substring(4)))
          .max()
          .orElse(0);
    }
  }

  private static long latestCheckpointThroughHadoop(
      URI checkpoints, Map<String, String> hadoopProperties) throws IOException {
    Configuration conf = new Configuration();
    hadoopProperties.forEach(conf::set);
    FileSystem fs = FileSystem.get(checkpoints, conf);
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(checkpoints);
    if (!fs.exists(root)) {
      return 0;
    }
    long latest = 0;
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
    while (files.hasNext()) {
      org.apache.hadoop.fs.Path file = files.next().getPath();
      String dir = file.getParent().getName();
      if (file.getName().equals("_metadata") && dir.startsWith("chk-")) {
        latest = Math.max(latest, Long.parseLong(dir.substring(4)));
      }
    }
    return latest;
  }

  private static long ledgerBytes(Path ledger) throws IOException {
    try (Stream<Path> files = Files.list(ledger)) {
      return files.mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
