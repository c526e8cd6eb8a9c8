package dev.weir.examples;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.TextIO;

/**
 * Counts the words of a text file and writes one {@code word: count} line per distinct word.
 *
 * <p>Run it on Weir (the runner when none is given, see {@link ExampleArgs}), after {@code mvn -q
 * install -DskipTests} at the repository root:
 *
 * <pre>{@code
 * mvn -q -pl examples exec:java -Dexec.args="--output=/tmp/wordcount/counts"
 * }</pre>
 *
 * <p>See {@link WordCountOptions} for the options; every Weir option ({@code --parallelism},
 * {@code --embeddedWorkers}, ...) works too.
 */
public final class WordCount {
  private WordCount() {}

  public static void main(String[] args) {
    if (run(args).getState() != PipelineResult.State.DONE) {
      System.exit(1);
    }
  }

  /** What {@link #main} does, short of exiting: parses {@code args}, runs the job, waits for it. */
  public static PipelineResult run(String... args) {
    WordCountOptions options = ExampleArgs.parse(args, WordCountOptions.class);
    PipelineResult result = run(options);
    System.out.printf(
        "WordCount %s: read %s, wrote %s-*%n",
        result.getState(), options.getInputFile(), options.getOutput());
    return result;
  }

  /** Builds the pipeline for {@code options}, runs it and waits until it ends. */
  public static PipelineResult run(WordCountOptions options) {
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply("ReadLines", TextIO.read().from(options.getInputFile()))
        .apply("CountWords", new CountWords())
        .apply("WriteCounts", TextIO.write().to(options.getOutput()));
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    return result;
  }
}
