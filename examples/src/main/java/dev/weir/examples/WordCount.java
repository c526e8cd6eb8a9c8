package dev.weir.examples;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Counts the words of a text file and writes one {@code word: count} line per distinct word.
 *
 * <p>Run it on Weir, after {@code mvn -q install -DskipTests} at the repository root:
 *
 * <pre>{@code
 * mvn -q -pl examples exec:java -Dexec.args="--runner=WeirRunner --output=/tmp/wordcount/counts"
 * }</pre>
 *
 * <p>See {@link WordCountOptions} for the options; every Weir option ({@code --parallelism},
 * {@code --embeddedWorkers}, ...) works too.
 */
public final class WordCount {
  private WordCount() {}

  public static void main(String[] args) {
    WordCountOptions options =
        PipelineOptionsFactory.fromArgs(args).withValidation().as(WordCountOptions.class);
    PipelineResult.State state = run(options);
    System.out.printf(
        "WordCount %s: read %s, wrote %s-*%n", state, options.getInputFile(), options.getOutput());
    if (state != PipelineResult.State.DONE) {
      System.exit(1);
    }
  }

  /** Builds the pipeline for {@code options}, runs it and waits until it ends. */
  public static PipelineResult.State run(WordCountOptions options) {
    Pipeline pipeline = Pipeline.create(options);
    pipeline
        .apply("ReadLines", TextIO.read().from(options.getInputFile()))
        .apply("CountWords", new CountWords())
        .apply("WriteCounts", TextIO.write().to(options.getOutput()));
    return pipeline.run().waitUntilFinish();
  }
}
