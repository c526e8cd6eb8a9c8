package dev.weir.benchmarks.nexmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Runs Beam's Nexmark queries on the Flink runner and on Weir, alternating which goes first from
 * one query to the next so a slow drift of the shared machine does not favour one runner, and
 * prints a markdown table per mode (also written to {@code --tableFile}). Every run is Nexmark's
 * own {@code Main} in a JVM of its own (see {@link NexmarkJvm}) with this JVM's classpath.
 *
 * <pre>
 * java -cp benchmarks-nexmark/target/classes:$(cat benchmarks-nexmark/target/nexmark.classpath) \
 *   dev.weir.benchmarks.nexmark.NexmarkSideBySide --events=1000000 --modes=batch --queries=0,5
 * </pre>
 */
public final class NexmarkSideBySide {

  private final SideBySideOptions options;
  private final NexmarkJvm jvm;

  NexmarkSideBySide(SideBySideOptions options, String childClassPath) {
    this.options = options;
    List<String> javaOptions =
        Arrays.stream(options.getChildJavaOptions().trim().split("\\s+"))
            .filter(option -> !option.isEmpty())
            .toList();
    this.jvm =
        new NexmarkJvm(
            childClassPath,
            javaOptions,
            Paths.get(options.getRunDirectory()),
            Duration.ofMinutes(options.getTimeoutMinutes()));
  }

  public static void main(String[] args) throws Exception {
    PipelineOptionsFactory.register(SideBySideOptions.class);
    SideBySideOptions options =
        PipelineOptionsFactory.fromArgs(args).withValidation().as(SideBySideOptions.class);
    new NexmarkSideBySide(options, System.getProperty("java.class.path")).runAll();
  }

  /** Runs every mode and query; returns the tables, one per mode, in the order run. */
  List<SideBySideTable> runAll() throws IOException, InterruptedException {
    List<ComparedRunner> runners = parse(options.getRunners(), ComparedRunner::named);
    List<ExecutionMode> modes = parse(options.getModes(), ExecutionMode::named);
    List<Integer> queries = parse(options.getQueries(), q -> Integer.parseInt(q.trim()));
    Path tableFile = Paths.get(options.getTableFile());
    if (tableFile.getParent() != null) {
      Files.createDirectories(tableFile.getParent());
    }
    List<SideBySideTable> tables = new ArrayList<>();
    StringBuilder written = new StringBuilder();
    written.append("Started ").append(Instant.now()).append('\n');
    for (ExecutionMode mode : modes) {
      SideBySideTable table = new SideBySideTable(mode, options.getEvents(), runners);
      tables.add(table);
      for (int i = 0; i < queries.size(); i++) {
        int query = queries.get(i);
        for (int r = 0; r < runners.size(); r++) {
          ComparedRunner runner = runners.get((i + r) % runners.size());
          QueryRun run = new QueryRun(query, mode, options.getEvents(), runner);
          Instant start = Instant.now();
          String loadBefore = loadAverage();
          RunOutcome outcome = jvm.run(run);
          table.add(query, runner, outcome);
          System.out.printf(
              Locale.ROOT,
              "%s: %s in %d s (load average %s before, %s after)%n",
              run.stem(),
              outcome.succeeded()
                  ? String.format(
                      Locale.ROOT,
                      "%,.0f events/s, %,d results, %.1f CPU s",
                      outcome.eventsPerSecond(),
                      outcome.results(),
                      outcome.cpuSeconds())
                  : outcome.failure(),
              Duration.between(start, Instant.now()).toSeconds(),
              loadBefore,
              loadAverage());
        }
        // Rewritten after every query, so a long run that is stopped keeps what it measured.
        Files.writeString(
            tableFile, written + "\n" + table.toMarkdown(), StandardCharsets.UTF_8);
      }
      written.append('\n').append(table.toMarkdown());
      System.out.println();
      System.out.print(table.toMarkdown());
    }
    written.append("\nFinished ").append(Instant.now()).append('\n');
    Files.writeString(tableFile, written, StandardCharsets.UTF_8);
    System.out.println("\nTable written to " + tableFile.toAbsolutePath());
    return tables;
  }

  /** The 1-, 5- and 15-minute load averages, where the OS reports them (Linux). */
  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Paths.get("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private interface Parser<T> {
    T parse(String text);
  }

  private static <T> List<T> parse(String commaSeparated, Parser<T> parser) {
    List<T> values = new ArrayList<>();
    for (String part : commaSeparated.split(",")) {
      if (!part.isBlank()) {
        values.add(parser.parse(part.trim()));
      }
    }
    if (values.isEmpty()) {
      throw new IllegalArgumentException("Empty list: '" + commaSeparated + "'");
    }
    return values;
  }
}
