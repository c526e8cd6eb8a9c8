package dev.weir.benchmarks.flink;

import java.io.File;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.function.Function;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.execution.Environment;
import org.apache.flink.runtime.memory.MemoryManager;
import org.apache.flink.runtime.state.LocalRecoveryConfig;
import org.apache.flink.runtime.state.TaskStateManager;
import org.apache.flink.runtime.taskmanager.TaskManagerRuntimeInfo;
import org.apache.flink.util.UserCodeClassLoader;

/**
 * The part of a Flink task's {@link Environment} that {@code
 * EmbeddedRocksDBStateBackend#createKeyedStateBackend} reads, and nothing else: job id, task
 * manager configuration and temporary directory, user class loader, execution config, a task state
 * manager with local recovery off, and a memory manager whose whole size is the slot's managed
 * memory.
 *
 * <p>{@link Environment} has some 35 methods for a running task (network, accumulators, metrics,
 * checkpoint acknowledgement...); a dynamic proxy answers the few the state backend calls and
 * fails loudly on any other, so a Flink version that starts to need more shows up as an error
 * naming the method rather than as a silent default.
 */
final class BenchmarkEnvironment {
  private BenchmarkEnvironment() {}

  /**
   * @param tmpDir where Flink unpacks RocksDB's native library (the task manager's working tmp)
   * @param memoryManager the slot's managed memory
   */
  static Environment create(
      JobID jobId, Configuration taskManagerConfig, File tmpDir, MemoryManager memoryManager) {
    ClassLoader classLoader = BenchmarkEnvironment.class.getClassLoader();
    ExecutionConfig executionConfig = new ExecutionConfig();
    TaskManagerRuntimeInfo taskManagerInfo =
        new TaskManagerRuntimeInfo() {
          @Override
          public Configuration getConfiguration() {
            return taskManagerConfig;
          }

          @Override
          public String[] getTmpDirectories() {
            return new String[] {tmpDir.getAbsolutePath()};
          }

          @Override
          public boolean shouldExitJvmOnOutOfMemoryError() {
            return false;
          }

          @Override
          public String getTaskManagerExternalAddress() {
            return "localhost";
          }

          @Override
          public File getTmpWorkingDirectory() {
            return tmpDir;
          }
        };
    UserCodeClassLoader userCodeClassLoader =
        new UserCodeClassLoader() {
          @Override
          public ClassLoader asClassLoader() {
            return classLoader;
          }

          @Override
          public void registerReleaseHookIfAbsent(String name, Runnable hook) {}
        };
    // Local recovery off: no local snapshot directories.
    LocalRecoveryConfig localRecovery = new LocalRecoveryConfig(null);
    TaskStateManager taskStateManager =
        proxy(
            TaskStateManager.class,
            name -> name.equals("createLocalRecoveryConfig") ? localRecovery : NOT_HANDLED);
    return proxy(
        Environment.class,
        name -> {
          switch (name) {
            case "getJobID":
              return jobId;
            case "getTaskManagerInfo":
              return taskManagerInfo;
            case "getUserCodeClassLoader":
              return userCodeClassLoader;
            case "getExecutionConfig":
              return executionConfig;
            case "getTaskStateManager":
              return taskStateManager;
            case "getMemoryManager":
              return memoryManager;
            default:
              return NOT_HANDLED;
          }
        });
  }

  private static final Object NOT_HANDLED = new Object();

  /** Answers the methods {@code answers} knows by name (they take no arguments), fails on others. */
  private static <T> T proxy(Class<T> type, Function<String, Object> answers) {
    InvocationHandler handler =
        (self, method, args) -> {
          String name = method.getName();
          if (method.getDeclaringClass() == Object.class) {
            switch (name) {
              case "toString":
                return "benchmark " + type.getSimpleName();
              case "hashCode":
                return System.identityHashCode(self);
              case "equals":
                return self == args[0];
              default:
                throw new UnsupportedOperationException(name);
            }
          }
          Object answer = answers.apply(name);
          if (answer == NOT_HANDLED) {
            throw new UnsupportedOperationException(
                type.getSimpleName()
                    + "."
                    + name
                    + " is not provided by the benchmark's minimal environment");
          }
          return answer;
        };
    return type.cast(
        Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
  }
}
