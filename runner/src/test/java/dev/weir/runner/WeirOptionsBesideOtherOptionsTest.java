package dev.weir.runner;

import dev.weir.checkpoint.CheckpointingOptions;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.beam.runners.dataflow.options.DataflowPipelineOptions;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.extensions.gcp.options.GcpOptions;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubOptions;
import org.apache.beam.sdk.options.ApplicationNameOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Weir's options on one classpath with the Flink runner's, Dataflow's and a benchmark suite's.
 * Beam merges every registered options interface into one set of properties and rejects a property
 * whose declarations disagree (type, {@code @Default}, {@code @JsonIgnore}, ...), so a clash here
 * would stop the user's program before it reads its command line.
 */
public class WeirOptionsBesideOtherOptionsTest {

  /**
   * Properties Weir declares as the Flink runner does, because they mean the same on both, so a job
   * ported from Flink keeps its flags. Options added later under Flink's names (checkpointing,
   * retries) go here too; the test below checks each one's declaration against Flink's.
   */
  private static final Set<String> SHARED_WITH_FLINK =
      Set.of(
          "parallelism",
          "maxParallelism",
          "stateBackend",
          "checkpointingInterval",
          "checkpointingMode",
          "checkpointTimeoutMillis",
          "minPauseBetweenCheckpoints",
          "numConcurrentCheckpoints",
          "numberOfExecutionRetries",
          "executionRetryDelay");

  /**
   * Shaped like Beam's Nexmark options (2.60.0): extends the same interfaces and declares {@code
   * numWorkers} and {@code maxNumWorkers} as plain ints without {@code @Default}, as Dataflow does.
   */
  public interface NexmarkLikeOptions
      extends ApplicationNameOptions, GcpOptions, PipelineOptions, PubsubOptions, StreamingOptions {
    @Description("Query to run.")
    @Nullable
    String getQuery();

    void setQuery(String query);

    @Description("Events to generate.")
    @Nullable
    Long getNumEvents();

    void setNumEvents(Long numEvents);

    @Description("Workers, as Dataflow's --numWorkers.")
    int getNumWorkers();

    void setNumWorkers(int value);

    @Description("Most workers, as Dataflow's --maxNumWorkers.")
    int getMaxNumWorkers();

    void setMaxNumWorkers(int value);

    @Description("Queries run at once.")
    @Default.Integer(1)
    int getNexmarkParallel();

    void setNexmarkParallel(int value);
  }

  @BeforeClass
  public static void registerAll() {
    // The Flink and Dataflow runners' registrars register their options already; registering them
    // again here keeps the test meaningful should those registrars ever leave the classpath.
    PipelineOptionsFactory.register(WeirPipelineOptions.class);
    PipelineOptionsFactory.register(FlinkPipelineOptions.class);
    PipelineOptionsFactory.register(DataflowPipelineOptions.class);
    PipelineOptionsFactory.register(NexmarkLikeOptions.class);
  }

  @Rule public final TemporaryFolder checkpoints = new TemporaryFolder();

  @Test
  public void aCommandLineNamingWeirsFlinksDataflowsAndNexmarksOptionsRunsOnWeir() {
    PipelineOptions options =
        PipelineOptionsFactory.fromArgs(
                "--runner=WeirRunner",
                // Weir's own.
                "--embeddedWorkers=3",
                "--rocksDbReadCacheMb=8",
                "--noProgressTimeoutSeconds=600",
                // Declared by Weir and Flink alike.
                "--parallelism=3",
                "--maxParallelism=64",
                "--stateBackend=memory",
                "--checkpointingInterval=5000",
                // Weir's own, required with --checkpointingInterval.
                "--checkpointDir=" + checkpoints.getRoot().toURI(),
                // Flink's only.
                "--flinkMaster=[local]",
                "--objectReuse=true",
                // Dataflow's.
                "--project=a-project",
                "--numWorkers=5",
                "--maxNumWorkers=7",
                "--workerMachineType=n1-standard-2",
                // Nexmark's.
                "--query=5",
                "--numEvents=1000",
                "--nexmarkParallel=2")
            .withValidation()
            .create();

    WeirPipelineOptions weir = options.as(WeirPipelineOptions.class);
    assertEquals(3, weir.getEmbeddedWorkers());
    assertEquals(8, weir.getRocksDbReadCacheMb());
    assertEquals(600L, weir.getNoProgressTimeoutSeconds());
    assertEquals(Integer.valueOf(3), weir.getParallelism());
    assertEquals(Integer.valueOf(64), weir.getMaxParallelism());
    assertEquals("memory", weir.getStateBackend());

    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    assertEquals(Integer.valueOf(3), flink.getParallelism());
    assertEquals(Integer.valueOf(64), flink.getMaxParallelism());
    assertEquals("[local]", flink.getFlinkMaster());
    assertEquals(Boolean.TRUE, flink.getObjectReuse());
    assertEquals(Long.valueOf(5000), flink.getCheckpointingInterval());

    DataflowPipelineOptions dataflow = options.as(DataflowPipelineOptions.class);
    assertEquals("a-project", dataflow.getProject());
    assertEquals(5, dataflow.getNumWorkers());
    assertEquals(7, dataflow.getMaxNumWorkers());
    assertEquals("n1-standard-2", dataflow.getWorkerMachineType());

    NexmarkLikeOptions nexmark = options.as(NexmarkLikeOptions.class);
    assertEquals("5", nexmark.getQuery());
    assertEquals(Long.valueOf(1000), nexmark.getNumEvents());
    assertEquals(5, nexmark.getNumWorkers());
    assertEquals(2, nexmark.getNexmarkParallel());

    // Beam picks the runner from --runner; the job then runs on three embedded workers.
    Pipeline p = Pipeline.create(options);
    p.apply(Create.of(1, 2, 3, 4, 5, 6)).apply(Count.perElement());
    WeirPipelineResult result = (WeirPipelineResult) p.run();
    assertEquals(PipelineResult.State.DONE, result.waitUntilFinish());
    assertEquals(
        Set.of("worker-0", "worker-1", "worker-2"), new HashSet<>(result.placement().values()));
  }

  @Test
  public void optionsWeirSharesWithFlinkAreDeclaredExactlyAsFlinkDeclaresThem() {
    Set<String> shared = new TreeSet<>();
    List<Method> weirGetters = new ArrayList<>(getters(WeirPipelineOptions.class));
    weirGetters.addAll(getters(CheckpointingOptions.class));
    for (Method weirGetter : weirGetters) {
      Method flinkGetter = getter(FlinkPipelineOptions.class, weirGetter.getName());
      if (flinkGetter == null) {
        continue;
      }
      shared.add(property(weirGetter));
      assertEquals(
          weirGetter.getName() + ": type",
          flinkGetter.getGenericReturnType(),
          weirGetter.getGenericReturnType());
      assertEquals(
          weirGetter.getName() + ": annotations Beam requires to agree",
          beamCheckedAnnotations(flinkGetter),
          beamCheckedAnnotations(weirGetter));
    }
    assertEquals(new TreeSet<>(SHARED_WITH_FLINK), shared);
  }

  @Test
  public void weirDeclaresNoPropertyOfDataflowOrNexmark() {
    Set<String> others = new HashSet<>();
    for (Class<?> iface : List.of(DataflowPipelineOptions.class, NexmarkLikeOptions.class)) {
      for (Method m : iface.getMethods()) {
        if (m.getDeclaringClass() != PipelineOptions.class) {
          others.add(m.getName());
        }
      }
    }
    Set<String> clashes =
        getters(WeirPipelineOptions.class).stream()
            .map(Method::getName)
            .filter(others::contains)
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(Set.of(), clashes);
  }

  @Test
  public void flinksDefaultsMeanWeirsDefaults() {
    WeirPipelineOptions options =
        PipelineOptionsFactory.fromArgs("--runner=WeirRunner").as(WeirPipelineOptions.class);
    assertEquals(Integer.valueOf(-1), options.getParallelism());
    assertEquals(Integer.valueOf(-1), options.getMaxParallelism());
    assertEquals(null, options.getStateBackend());
    CheckedOptions checked = WeirOptionsValidator.validate(options);
    // One subtask per embedded worker, 128 key groups, RocksDB.
    assertEquals(2, checked.parallelism());
    assertEquals(128, checked.maxParallelism());
    assertEquals("rocksdb", checked.stateBackend());
  }

  private static List<Method> getters(Class<?> iface) {
    return Arrays.stream(iface.getDeclaredMethods())
        .filter(m -> m.getName().startsWith("get") && m.getParameterCount() == 0)
        .collect(Collectors.toList());
  }

  private static @Nullable Method getter(Class<?> iface, String name) {
    try {
      return iface.getMethod(name);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  private static String property(Method getter) {
    String name = getter.getName().substring(3);
    return Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }

  /** Annotations Beam's PipelineOptionsFactory requires all declarations of a property to share. */
  private static Set<Annotation> beamCheckedAnnotations(Method getter) {
    return Arrays.stream(getter.getAnnotations())
        .filter(
            a ->
                a.annotationType().getEnclosingClass() == Default.class
                    || a.annotationType() == JsonIgnore.class
                    || a.annotationType() == JsonSerialize.class
                    || a.annotationType() == JsonDeserialize.class)
        .collect(Collectors.toSet());
  }
}
