package dev.weir.benchmarks.nexmark;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options of {@link NexmarkSideBySide}; the runs themselves get only Nexmark's and the runners'. */
public interface SideBySideOptions extends PipelineOptions {

  @Description("Nexmark queries to run, by number, comma separated.")
  @Default.String("0,1,2,3,4,5,6,7,8,9,10,11,12")
  String getQueries();

  void setQueries(String queries);

  @Description("Events generated per run (Nexmark's --numEvents).")
  @Default.Long(1_000_000L)
  long getEvents();

  void setEvents(long events);

  @Description("Modes to run, comma separated: batch (--streaming=false), streaming (--streaming=true).")
  @Default.String("batch,streaming")
  String getModes();

  void setModes(String modes);

  @Description(
      "Runners to compare, comma separated, as --runner names them: FlinkRunner, WeirRunner,"
          + " DirectRunner. The table's ratio is the second over the first.")
  @Default.String("FlinkRunner,WeirRunner")
  String getRunners();

  void setRunners(String runners);

  @Description("File the markdown table is written to (as well as printed).")
  @Default.String("target/nexmark-side-by-side.md")
  String getTableFile();

  void setTableFile(String tableFile);

  @Description("Directory for each run's log and Nexmark perf file.")
  @Default.String("target/nexmark-runs")
  String getRunDirectory();

  void setRunDirectory(String runDirectory);

  @Description("JVM options of every child JVM, space separated (the same for all runners).")
  @Default.String("-Xmx4g")
  String getChildJavaOptions();

  void setChildJavaOptions(String childJavaOptions);

  @Description("A run that takes longer than this is stopped and reported as timed out.")
  @Default.Integer(30)
  int getTimeoutMinutes();

  void setTimeoutMinutes(int timeoutMinutes);
}
