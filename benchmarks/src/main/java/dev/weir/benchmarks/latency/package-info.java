/**
 * End-to-end latency of an unbounded pipeline on Weir's embedded cluster: events stamped with
 * their creation time go through a keyed stateful count, and a sink records how long each took.
 */
package dev.weir.benchmarks.latency;
