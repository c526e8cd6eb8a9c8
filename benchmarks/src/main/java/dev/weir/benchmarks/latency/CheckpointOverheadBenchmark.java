package dev.weir.benchmarks.latency;

import dev.weir.checkpoint.CheckpointingOptions;
import dev.weir.runner.CheckpointStats;
import dev.weir.runner.WeirPipelineResult;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * What checkpoints cost the streaming latency job ({@link StreamingLatencyBenchmark}'s pipeline):
 * runs it without checkpoints and with {@code --checkpointingInterval} (1000 ms unless given),
 * alternating the two ({@code off, on, off, on, ...}, {@code --rounds} pairs) so a change of the
 * shared machine's load hits both alike. Two phases: at the fixed {@code --rate}, where both keep
 * up and the latency tells the cost, and with the source unthrottled ({@code --capacityRate=0}) or
 * at a rate above what the job can take, where the achieved events/s is the job's capacity. The
 * checkpoints go to a temporary {@code file://} directory (or under {@code --checkpointDir}), one
 * per run, removed at the end.
 *
 * <p>Per run it prints events/s at the sink, the JVM's CPU time per event (all threads, RocksDB's
 * included: on a shared machine the job gets a varying share of the cores, so CPU per event is
 * the steadier measure of what a checkpoint costs), latency p50/p99/max, and for the "on" runs the
 * checkpoints triggered in the measured window: completed, aborted, average and longest duration
 * (trigger to completion), average and longest synchronous part (the longest of one subtask per
 * checkpoint), average upload, average size and average bytes uploaded. Then per phase the means
 * and the ratios on/off.
 */
public final class CheckpointOverheadBenchmark {
  private CheckpointOverheadBenchmark() {}

  /** Options of the comparison; the latency benchmark's and Weir's options pass through. */
  public interface Options extends StreamingLatencyBenchmark.Options, CheckpointingOptions {
    @Description("Pairs of runs (off, on) per phase.")
    @Default.Integer(2)
    int getRounds();

    void setRounds(int rounds);

    @Description(
        "Requested rate of the capacity phase: 0 = unthrottled source, -1 = no capacity phase.")
    @Default.Integer(0)
    int getCapacityRate();

    void setCapacityRate(int rate);

    @Description(
        "Seconds of one unmeasured run with checkpoints on before the first measured one, so the"
            + " JIT has compiled both paths and the first measured run is not the only cold one.")
    @Default.Integer(20)
    int getJvmWarmupSeconds();

    void setJvmWarmupSeconds(int seconds);
  }

  public static void main(String[] args) throws Exception {
    String[] all = StreamingLatencyBenchmark.withWeirDefaults(args);
    Options options =
        PipelineOptionsFactory.fromArgs(all).withValidation().as(Options.class);
    long interval =
        options.getCheckpointingInterval() == null || options.getCheckpointingInterval() <= 0
            ? 1000
            : options.getCheckpointingInterval();
    String given = options.getCheckpointDir();
    Path tempRoot = given == null ? Files.createTempDirectory("weir-checkpoint-overhead") : null;
    String checkpointRoot = given != null ? stripSlash(given) : stripSlash(tempRoot.toUri().toString());

    System.out.printf(
        Locale.ROOT,
        "Streaming latency job (%,d users, RocksDB), checkpoints off against every %d ms to %s;"
            + " %d s warm-up, %d s measured per run; %d pairs per phase; %d cores; load %s%n",
        options.getUsers(),
        interval,
        checkpointRoot,
        options.getWarmupSeconds(),
        options.getSeconds(),
        options.getRounds(),
        Runtime.getRuntime().availableProcessors(),
        loadAverage());
    System.out.printf(
        Locale.ROOT,
        "%-10s %-4s %12s %11s %8s %6s %6s %6s %5s %5s %8s %8s %6s %6s %6s %9s %9s  %s%n",
        "rate/s",
        "ckpt",
        "events",
        "achieved/s",
        "cpu us/e",
        "p50",
        "p99",
        "max",
        "done",
        "abrt",
        "avg ms",
        "max ms",
        "sync",
        "s.max",
        "upl.",
        "avg KiB",
        "avg +KiB",
        "load after");
    List<Phase> phases = new ArrayList<>();
    phases.add(new Phase(options.getRate()));
    if (options.getCapacityRate() >= 0) {
      phases.add(new Phase(options.getCapacityRate()));
    }
    int runNumber = 0;
    try {
      if (options.getJvmWarmupSeconds() > 0) {
        int measured = options.getSeconds();
        options.setSeconds(options.getJvmWarmupSeconds());
        Run warmup = runOnce(options, options.getRate(), interval, checkpointRoot + "/warm-up");
        options.setSeconds(measured);
        System.out.printf(
            Locale.ROOT,
            "(JVM warm-up, not counted: %d s with checkpoints at %,d/s, %,.0f events/s, p99 %d ms)%n",
            options.getJvmWarmupSeconds() + options.getWarmupSeconds(),
            options.getRate(),
            warmup.achievedPerSecond,
            warmup.latency.p99);
      }
      for (Phase phase : phases) {
        for (int round = 0; round < options.getRounds(); round++) {
          for (boolean on : new boolean[] {false, true}) {
            runNumber++;
            String dir = checkpointRoot + "/run-" + runNumber;
            Run run = runOnce(options, phase.rate, on ? interval : -1, on ? dir : null);
            (on ? phase.on : phase.off).add(run);
            print(phase.rate, on, run);
          }
        }
      }
    } finally {
      if (tempRoot != null) {
        deleteRecursively(tempRoot);
      }
    }
    System.out.println();
    for (Phase phase : phases) {
      double off = phase.off.stream().mapToDouble(r -> r.achievedPerSecond).average().orElse(0);
      double on = phase.on.stream().mapToDouble(r -> r.achievedPerSecond).average().orElse(0);
      double cpuOff =
          phase.off.stream().mapToDouble(r -> r.cpuMicrosPerEvent).average().orElse(0);
      double cpuOn = phase.on.stream().mapToDouble(r -> r.cpuMicrosPerEvent).average().orElse(0);
      System.out.printf(
          Locale.ROOT,
          "%s: off %,.0f events/s (p99 max %d ms), on %,.0f events/s (p99 max %d ms);"
              + " on/off throughput %.3f (%+.1f %%); CPU per event off %.2f us, on %.2f us,"
              + " off/on %.3f (%+.1f %% throughput at equal CPU)%n",
          phase.rate > 0 ? String.format(Locale.ROOT, "rate %,d/s", phase.rate) : "unthrottled",
          off,
          phase.off.stream().mapToLong(r -> r.latency.p99).max().orElse(-1),
          on,
          phase.on.stream().mapToLong(r -> r.latency.p99).max().orElse(-1),
          off == 0 ? 0 : on / off,
          off == 0 ? 0 : (on / off - 1) * 100,
          cpuOff,
          cpuOn,
          cpuOn == 0 ? 0 : cpuOff / cpuOn,
          cpuOn == 0 ? 0 : (cpuOff / cpuOn - 1) * 100);
    }
    System.exit(0);
  }

  private static Run runOnce(Options options, int rate, long interval, String checkpointDir)
      throws Exception {
    options.setCheckpointingInterval(interval);
    options.setCheckpointDir(checkpointDir);
    PipelineResult result =
        StreamingLatencyBenchmark.pipeline(options, rate, options.getUsers()).run();
    Thread.sleep(options.getWarmupSeconds() * 1000L);
    long start = System.currentTimeMillis();
    long cpuStart = processCpuNanos();
    LatencyRecorder.start();
    Thread.sleep(options.getSeconds() * 1000L);
    LatencyRecorder.stop();
    long cpuNanos = processCpuNanos() - cpuStart;
    long end = System.currentTimeMillis();
    LatencyRecorder.Summary latency = LatencyRecorder.summary();
    List<CheckpointStats> checkpoints = new ArrayList<>();
    if (result instanceof WeirPipelineResult weir) {
      for (CheckpointStats c : weir.checkpoints()) {
        if (c.triggeredAtMillis() >= start && c.triggeredAtMillis() < end) {
          checkpoints.add(c);
        }
      }
    }
    result.cancel();
    return new Run(
        latency,
        latency.count * 1000.0 / (end - start),
        latency.count == 0 ? 0 : cpuNanos / 1000.0 / latency.count,
        checkpoints,
        loadAverage());
  }

  private static void print(int rate, boolean on, Run run) {
    List<CheckpointStats> done =
        run.checkpoints.stream()
            .filter(c -> c.status() == CheckpointStats.Status.COMPLETED)
            .toList();
    long aborted = run.checkpoints.size() - done.size();
    System.out.printf(
        Locale.ROOT,
        "%-10s %-4s %,12d %,11.0f %8.2f %6d %6d %6d %5s %5s %8s %8s %6s %6s %6s %9s %9s  %s%n",
        rate > 0 ? String.format(Locale.ROOT, "%,d", rate) : "max",
        on ? "on" : "off",
        run.latency.count,
        run.achievedPerSecond,
        run.cpuMicrosPerEvent,
        run.latency.p50,
        run.latency.p99,
        run.latency.max,
        on ? Integer.toString(done.size()) : "-",
        on ? Long.toString(aborted) : "-",
        on ? average(done, c -> c.durationMillis()) : "-",
        on ? done.stream().mapToLong(CheckpointStats::durationMillis).max().stream()
            .mapToObj(Long::toString).findFirst().orElse("-") : "-",
        on ? average(done, CheckpointStats::maxSyncMillis) : "-",
        on ? done.stream().mapToLong(CheckpointStats::maxSyncMillis).max().stream()
            .mapToObj(Long::toString).findFirst().orElse("-") : "-",
        on ? average(done, CheckpointStats::maxAsyncMillis) : "-",
        on ? average(done, c -> c.sizeBytes() / 1024) : "-",
        on ? average(done, c -> c.incrementalSizeBytes() / 1024) : "-",
        run.loadAfter);
    for (CheckpointStats c : run.checkpoints) {
      if (c.status() == CheckpointStats.Status.ABORTED) {
        System.out.println("    checkpoint " + c.id() + " aborted: " + c.failureReason());
      }
    }
  }

  private static String average(
      List<CheckpointStats> checkpoints, java.util.function.ToLongFunction<CheckpointStats> f) {
    return checkpoints.isEmpty()
        ? "-"
        : String.format(
            Locale.ROOT, "%,.0f", checkpoints.stream().mapToLong(f).average().orElse(0));
  }

  /**
   * CPU time of this JVM so far, all threads (RocksDB's background threads included). Per event it
   * measures the cost of processing whatever share of the shared machine's cores the job gets.
   */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The 1, 5 and 15 minute load averages from /proc/loadavg, or the JVM's 1 minute figure. */
  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return String.format(
          Locale.ROOT,
          "%.2f",
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  private static String stripSlash(String uri) {
    return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** One configuration's measured run. */
  private record Run(
      LatencyRecorder.Summary latency,
      double achievedPerSecond,
      double cpuMicrosPerEvent,
      List<CheckpointStats> checkpoints,
      String loadAfter) {}

  /** The runs at one requested rate (0: unthrottled). */
  private static final class Phase {
    final int rate;
    final List<Run> off = new ArrayList<>();
    final List<Run> on = new ArrayList<>();

    Phase(int rate) {
      this.rate = rate;
    }
  }
}
