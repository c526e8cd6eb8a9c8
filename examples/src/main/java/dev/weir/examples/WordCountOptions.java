package dev.weir.examples;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * Command-line options of {@link WordCount}, for instance {@code --runner=WeirRunner
 * --inputFile=/tmp/book.txt --output=/tmp/counts/part}.
 */
public interface WordCountOptions extends PipelineOptions {

  /**
   * The text to count: a file path or glob that Beam's {@code FileSystems} understand. Defaults to
   * a short story that ships with this module, copied to a temporary file.
   */
  @Description(
      "File (or glob) to read, one or more lines of text. Default: a short story bundled with the"
          + " examples module.")
  @Default.InstanceFactory(BundledText.class)
  String getInputFile();

  void setInputFile(String inputFile);

  /**
   * Prefix of the output files. Each shard is written as {@code <output>-SSSSS-of-NNNNN}, one
   * {@code word: count} line per distinct word.
   */
  @Description(
      "Prefix of the output files; shards are named <output>-00000-of-0000N. Default:"
          + " target/wordcount/counts, relative to the working directory.")
  @Default.String("target/wordcount/counts")
  @Validation.Required
  String getOutput();

  void setOutput(String output);
}
