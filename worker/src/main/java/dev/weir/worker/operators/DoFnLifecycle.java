package dev.weir.worker.operators;

import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.reflect.DoFnInvoker;
import org.apache.beam.sdk.transforms.reflect.DoFnInvokers;

/** Calls a DoFn's {@code @Setup} and {@code @Teardown}, once per DoFn instance. */
final class DoFnLifecycle {
  private final DoFn<?, ?> fn;
  private boolean setUp;

  DoFnLifecycle(DoFn<?, ?> fn) {
    this.fn = fn;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  void setup(PipelineOptions options, String stepName) {
    DoFnInvoker<Object, Object> invoker = (DoFnInvoker) DoFnInvokers.invokerFor(fn);
    // Beam calls teardown even when setup threw, so resources setup took are released.
    setUp = true;
    invoker.invokeSetup(
        new DoFnInvoker.BaseArgumentProvider<Object, Object>() {
          @Override
          public PipelineOptions pipelineOptions() {
            return options;
          }

          @Override
          public String getErrorContext() {
            return "setup of " + stepName;
          }
        });
  }

  /** Calls teardown once, if setup was called. */
  void teardown() {
    if (setUp) {
      setUp = false;
      DoFnInvokers.invokerFor(fn).invokeTeardown();
    }
  }
}
