/**
 * The user's entry point: {@link dev.weir.runner.WeirRunner} and {@link
 * dev.weir.runner.TestWeirRunner}, their options and registrar, and the coordinator that deploys a
 * job's subtasks to workers, on an embedded cluster by default.
 */
package dev.weir.runner;
