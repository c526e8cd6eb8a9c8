package dev.weir.examples;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.empty;
import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import dev.weir.runner.WeirPipelineResult;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Runs {@link WordCount} end to end on WeirRunner and reads back every output shard. */
public class WordCountTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void countsWordsOfAFileOnWeir() throws IOException {
    Path input = tmp.newFile("input.txt").toPath();
    Files.write(
        input,
        List.of(
            "The cat sat on the mat.",
            "",
            "'The mat,' said the cat, \"isn't mine.\"",
            "Mat 2 mat 2"),
        StandardCharsets.UTF_8);
    Path output = tmp.getRoot().toPath().resolve("out").resolve("counts");

    PipelineResult.State state =
        WordCount.run(
            options("--inputFile=" + input, "--output=" + output))
            .getState();

    assertEquals(PipelineResult.State.DONE, state);
    assertEquals(
        List.of(
            "2: 2",
            "cat: 2",
            "isn't: 1",
            "mat: 4",
            "mine: 1",
            "on: 1",
            "said: 1",
            "sat: 1",
            "the: 4"),
        sortedLinesOfShards(output));
  }

  @Test
  public void defaultsToTheBundledText() throws IOException {
    Path output = tmp.getRoot().toPath().resolve("bundled").resolve("counts");

    PipelineResult.State state = WordCount.run(options("--output=" + output)).getState();

    assertEquals(PipelineResult.State.DONE, state);
    List<String> lines = sortedLinesOfShards(output);
    assertEquals(169, lines.size());
    assertThat(lines, hasItems("weir: 10", "the: 60", "river: 9", "water: 8"));
  }

  @Test
  public void runsOnWeirWhenNoRunnerIsGiven() throws IOException {
    Path input = tmp.newFile("input.txt").toPath();
    Files.write(input, List.of("Weir weir river", "river weir"), StandardCharsets.UTF_8);
    Path output = tmp.getRoot().toPath().resolve("default-runner").resolve("counts");

    // The README's command passes no --runner; Beam's own default would be the DirectRunner.
    PipelineResult result = WordCount.run("--inputFile=" + input, "--output=" + output);

    assertThat(result, instanceOf(WeirPipelineResult.class));
    assertEquals(PipelineResult.State.DONE, result.getState());
    assertEquals(List.of("river: 2", "weir: 3"), sortedLinesOfShards(output));
  }

  private static WordCountOptions options(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--runner=WeirRunner");
    return PipelineOptionsFactory.fromArgs(all.toArray(new String[0]))
        .withValidation()
        .as(WordCountOptions.class);
  }

  private static List<String> sortedLinesOfShards(Path prefix) throws IOException {
    return OutputFiles.sortedLines(prefix);
  }
}
