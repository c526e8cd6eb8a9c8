package dev.weir.runner;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Latest;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reify;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.junit.Test;

public class TriggeredSideInputTest {

  /** Appends the side input's current value to each main element. */
  private static class WithSide extends DoFn<String, String> {
    private final PCollectionView<String> side;

    WithSide(PCollectionView<String> side) {
      this.side = side;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      c.output(c.element() + ":" + c.sideInput(side));
    }
  }

  @Test
  public void mainInputSeesTheLatestPaneOfATriggeredSideInput() {
    Pipeline p =
        Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=TestWeirRunner").create());
    PCollection<String> events =
        p.apply(
            TestStream.create(StringUtf8Coder.of())
                .addElements("side=1")
                .addElements("main=a")
                .addElements("side=2")
                .addElements("main=b")
                .advanceWatermarkToInfinity());
    PCollectionView<String> side =
        events
            .apply("Side", Filter.by((String e) -> e.startsWith("side=")))
            .apply(
                "SideValue", MapElements.into(TypeDescriptors.strings()).via((String e) -> e.substring(5)))
            .apply(
                Window.<String>configure()
                    .triggering(Repeatedly.forever(AfterPane.elementCountAtLeast(1)))
                    .discardingFiredPanes()
                    .withAllowedLateness(Duration.ZERO))
            .apply(Reify.timestamps())
            .apply(Combine.globally(Latest.<String>combineFn()).withoutDefaults().asSingletonView());
    PCollection<String> out =
        events
            .apply("Main", Filter.by((String e) -> e.startsWith("main=")))
            .apply(
                "MainValue", MapElements.into(TypeDescriptors.strings()).via((String e) -> e.substring(5)))
            .apply(ParDo.of(new WithSide(side)).withSideInputs(side));
    PAssert.that(out).containsInAnyOrder("a:1", "b:2");
    p.run();
  }
}
