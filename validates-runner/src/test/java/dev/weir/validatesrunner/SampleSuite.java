package dev.weir.validatesrunner;

import org.apache.beam.sdk.testing.NeedsRunner;
import org.apache.beam.sdk.testing.UsesSideInputs;
import org.apache.beam.sdk.testing.UsesStatefulParDo;
import org.apache.beam.sdk.testing.UsesTestStreamWithProcessingTime;
import org.apache.beam.sdk.testing.ValidatesRunner;
import org.junit.experimental.categories.Category;

/** Stands in for a Beam test class: categories on a parent, on nested classes and on methods. */
@Category(UsesSideInputs.class)
final class SampleSuite {
  private SampleSuite() {}

  static final class Bounded {
    @Category({ValidatesRunner.class, UsesStatefulParDo.class})
    public void testPass() {}

    @Category(ValidatesRunner.class)
    public void testFail() {}

    @Category(NeedsRunner.class)
    public void testParams() {}

    @Category(LikeValidatesRunner.class)
    public void testSkip() {}
  }

  /** A category that extends ValidatesRunner: its tests belong to the ValidatesRunner subset. */
  interface LikeValidatesRunner extends ValidatesRunner {}

  @Category(UsesTestStreamWithProcessingTime.class)
  static final class Streaming {
    @Category(ValidatesRunner.class)
    public void testStream() {}
  }
}
