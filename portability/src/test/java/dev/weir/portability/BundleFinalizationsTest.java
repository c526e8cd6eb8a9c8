package dev.weir.portability;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.beam.model.fnexecution.v1.BeamFnApi;
import org.apache.beam.runners.fnexecution.control.InstructionRequestHandler;
import org.junit.Test;

public class BundleFinalizationsTest {
  /** The harness's control client: records the bundles it is asked to finalize. */
  private static final class Control implements InstructionRequestHandler {
    final List<String> finalized = new ArrayList<>();

    @Override
    public void registerProcessBundleDescriptor(BeamFnApi.ProcessBundleDescriptor descriptor) {}

    @Override
    public CompletionStage<BeamFnApi.InstructionResponse> handle(
        BeamFnApi.InstructionRequest request) {
      finalized.add(request.getFinalizeBundle().getInstructionId());
      return CompletableFuture.completedFuture(
          BeamFnApi.InstructionResponse.newBuilder()
              .setInstructionId(request.getInstructionId())
              .build());
    }

    @Override
    public void close() {}
  }

  @Test
  public void withoutCheckpointsABundleIsFinalizedWhenItEnds() {
    Control control = new Control();
    BundleFinalizations finalizations = new BundleFinalizations(control);
    finalizations.requestsFinalization("bundle-1");

    finalizations.bundleEnded(false, 0);

    assertEquals(List.of("bundle-1"), control.finalized);
  }

  @Test
  public void aBundleWaitsForTheCheckpointCoveringItAndNoLongerThanThat() {
    Control control = new Control();
    BundleFinalizations finalizations = new BundleFinalizations(control);
    finalizations.requestsFinalization("bundle-1");
    finalizations.bundleEnded(true, 0);
    finalizations.requestsFinalization("bundle-2");
    finalizations.bundleEnded(true, 1);

    assertEquals(List.of(), control.finalized);
    finalizations.checkpointCompleted(List.of(0L));
    assertEquals(List.of("bundle-1"), control.finalized);
    finalizations.checkpointCompleted(List.of(1L));
    assertEquals(List.of("bundle-1", "bundle-2"), control.finalized);
  }

  @Test
  public void onceTheInputHasEndedEveryWaitingBundleIsFinalized() {
    Control control = new Control();
    BundleFinalizations finalizations = new BundleFinalizations(control);
    finalizations.requestsFinalization("bundle-1");
    finalizations.bundleEnded(true, 3);

    finalizations.all();

    assertEquals(List.of("bundle-1"), control.finalized);
  }
}
