package dev.weir.worker.operators;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.WindowedValues;
import org.junit.Test;

public class TaggedOutputsTest {
  @Test
  public void eachOutputGoesToTheReceiverOfItsTagAndOnlyThere() {
    List<Object> main = new ArrayList<>();
    List<Object> side = new ArrayList<>();
    TupleTag<String> mainTag = new TupleTag<>("main");
    TupleTag<String> sideTag = new TupleTag<>("side");
    TaggedOutputs outputs =
        new TaggedOutputs(
            Map.of(
                "main", e -> main.add(e.getValue()),
                "side", e -> side.add(e.getValue())));
    outputs.output(mainTag, WindowedValues.valueInGlobalWindow("m1"));
    outputs.output(mainTag, WindowedValues.valueInGlobalWindow("m2"));
    outputs.output(sideTag, WindowedValues.valueInGlobalWindow("s1"));
    // Another instance with the same id is the same tag.
    outputs.output(new TupleTag<String>("main"), WindowedValues.valueInGlobalWindow("m3"));
    outputs.output(sideTag, WindowedValues.valueInGlobalWindow("s2"));
    outputs.output(new TupleTag<String>("unused"), WindowedValues.valueInGlobalWindow("x"));
    outputs.output(mainTag, WindowedValues.valueInGlobalWindow("m4"));

    assertEquals(List.of("m1", "m2", "m3", "m4"), main);
    assertEquals(List.of("s1", "s2"), side);
  }
}
