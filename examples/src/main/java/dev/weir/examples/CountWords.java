package dev.weir.examples;

import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Lines of text in, one {@code "word: count"} line per distinct word out (in no particular order).
 */
public final class CountWords extends PTransform<PCollection<String>, PCollection<String>> {

  @Override
  public PCollection<String> expand(PCollection<String> lines) {
    PCollection<KV<String, Long>> counts =
        lines.apply("ExtractWords", ParDo.of(new ExtractWordsFn())).apply(Count.perElement());
    return counts.apply(
        "Format",
        MapElements.into(TypeDescriptors.strings())
            .via((KV<String, Long> wordCount) -> format(wordCount.getKey(), wordCount.getValue())));
  }

  /** The output line for one word. */
  static String format(String word, long count) {
    return word + ": " + count;
  }
}
