package dev.weir.benchmarks.nexmark;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.not;

import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** One small query through the whole driver: child JVMs of both runners, perf records, table. */
public class NexmarkSideBySideTest {

  @Rule public TemporaryFolder folder = new TemporaryFolder();

  @Test
  public void passThroughQueryReportsEveryEventOnBothRunners() throws Exception {
    SideBySideOptions options =
        PipelineOptionsFactory.fromArgs(
                "--queries=0",
                "--events=1000",
                "--modes=batch",
                "--childJavaOptions=-Xmx1g",
                "--timeoutMinutes=5",
                "--tableFile=" + folder.getRoot().toPath().resolve("table.md"),
                "--runDirectory=" + folder.newFolder("runs"))
            .as(SideBySideOptions.class);
    // Surefire starts tests with a manifest-only jar as java.class.path; the real one is here.
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));

    List<SideBySideTable> tables = new NexmarkSideBySide(options, classPath).runAll();

    SideBySideTable table = tables.get(0);
    String markdown = table.toMarkdown();
    assertThat(markdown, containsString("| q0 | "));
    assertThat(markdown, containsString("1,000 / 1,000"));
    assertThat(markdown, not(containsString(SideBySideTable.COUNTS_DIFFER)));
    assertThat(table.ratio(0), greaterThan(0.0));
    assertThat(table.countsDiffer(0), equalTo(false));
  }
}
