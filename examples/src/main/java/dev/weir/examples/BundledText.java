package dev.weir.examples;

import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Default of {@link WordCountOptions#getInputFile()}: the short story bundled in this module's
 * resources, copied to a temporary file.
 */
public final class BundledText implements DefaultValueFactory<String> {
  /** Class-path location of the bundled text. */
  static final String RESOURCE = "/dev/weir/examples/river.txt";

  @Override
  public String create(PipelineOptions options) {
    return BundledFile.copyToTempFile(RESOURCE);
  }
}
