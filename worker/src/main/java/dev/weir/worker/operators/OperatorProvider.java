package dev.weir.worker.operators;

/**
 * An operator plan that makes its own runtime operator: how a module above the worker (the
 * portable job server's executable stages) plugs an operator kind into the engine without the
 * worker knowing it.
 */
public interface OperatorProvider {
  StageOperator createOperator();
}
