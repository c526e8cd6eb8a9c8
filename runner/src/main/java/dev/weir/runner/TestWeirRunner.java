package dev.weir.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsValidator;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * {@link WeirRunner} for {@code TestPipeline}: runs the job to its end before returning, and throws
 * {@link Pipeline.PipelineExecutionException} with the user's exception as the cause if it failed.
 */
public class TestWeirRunner extends PipelineRunner<WeirPipelineResult> {
  private final WeirRunner delegate;

  private TestWeirRunner(WeirPipelineOptions options) {
    this.delegate = new WeirRunner(options);
  }

  /** Called by Beam for {@code --runner=TestWeirRunner}. */
  public static TestWeirRunner fromOptions(PipelineOptions options) {
    return new TestWeirRunner(
        PipelineOptionsValidator.validate(WeirPipelineOptions.class, options));
  }

  /**
   * Runs the pipeline and waits for it. If the wait ends without the job ending (a test harness
   * interrupting a test it gave up on), the job is cancelled, so it does not go on holding its
   * cluster, threads and state directories.
   */
  @Override
  public WeirPipelineResult run(Pipeline pipeline) {
    Path checkpoints = temporaryCheckpointDir();
    WeirPipelineResult result = null;
    try {
      result = delegate.run(pipeline);
      try {
        result.waitUntilFinish();
      } catch (RuntimeException | Error e) {
        if (!result.getState().isTerminal()) {
          cancel(result, e);
        }
        throw e;
      }
      return result;
    } finally {
      if (checkpoints != null) {
        delegate.options().setCheckpointDir(null);
        // A job that would not end keeps its directory: it may still be writing there.
        if (result == null || result.getState().isTerminal()) {
          deleteRecursively(checkpoints);
        }
      }
    }
  }

  /**
   * With {@code --checkpointingInterval} but no {@code --checkpointDir} (Beam's suites set one
   * option for every test, e.g. a second ValidatesRunner run with checkpoints), a directory of its
   * own for this run, removed when the job has ended; null when none is needed.
   */
  private @Nullable Path temporaryCheckpointDir() {
    WeirPipelineOptions options = delegate.options();
    Long interval = options.getCheckpointingInterval();
    if (interval == null || interval <= 0 || options.getCheckpointDir() != null) {
      return null;
    }
    try {
      Path directory = Files.createTempDirectory("weir-checkpoints-");
      options.setCheckpointDir(directory.toUri().toString());
      return directory;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a temporary --checkpointDir", e);
    }
  }

  private static void deleteRecursively(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // Only a temporary directory left behind.
    }
  }

  private static void cancel(WeirPipelineResult result, Throwable cause) {
    // Cancelling waits (bounded) for the job to end, which an interrupt flag would cut short.
    boolean interrupted = Thread.interrupted();
    try {
      result.cancel();
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
