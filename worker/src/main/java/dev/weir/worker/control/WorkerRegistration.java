package dev.weir.worker.control;

import java.io.Serializable;

/** What a worker tells the coordinator when it joins: its name and where to reach it. */
public final class WorkerRegistration implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String name;
  private final String exchangeAddress;
  private final String controlAddress;

  public WorkerRegistration(String name, String exchangeAddress, String controlAddress) {
    this.name = name;
    this.exchangeAddress = exchangeAddress;
    this.controlAddress = controlAddress;
  }

  public String name() {
    return name;
  }

  /** host:port where the worker's subtasks receive data. */
  public String exchangeAddress() {
    return exchangeAddress;
  }

  /** host:port of the worker's control service (deploy, cancel). */
  public String controlAddress() {
    return controlAddress;
  }

  @Override
  public String toString() {
    return name + " (exchange " + exchangeAddress + ", control " + controlAddress + ")";
  }
}
