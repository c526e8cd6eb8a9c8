package dev.weir.worker.task;

import dev.weir.state.KeyedStateBackend;
import java.util.LinkedHashMap;
import java.util.Map;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The keyed state backends a subtask's operators created, by operator name, so a checkpoint can
 * snapshot each. An operator has at most one: a checkpoint stores one keyed state per operator.
 * The operators own and close them. Only the subtask's thread uses this.
 */
final class OperatorBackends {
  private final Map<String, KeyedStateBackend> byOperator = new LinkedHashMap<>();

  void add(String operatorName, KeyedStateBackend backend) {
    if (byOperator.containsKey(operatorName)) {
      throw new IllegalStateException(
          "Operator " + operatorName + " asked for a second keyed state backend");
    }
    byOperator.put(operatorName, backend);
  }

  @Nullable KeyedStateBackend of(String operatorName) {
    return byOperator.get(operatorName);
  }
}
