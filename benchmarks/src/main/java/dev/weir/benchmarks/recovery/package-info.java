/**
 * Recovery time after {@code kill -9} of a worker process holding a share of about 1 GB of RocksDB
 * state: a coordinator and worker JVMs on loopback, a keyed stateful streaming job with
 * checkpoints, one worker killed, and the wall time from the kill to the first output of the
 * restarted job, with the phases in between read from the processes' logs.
 */
package dev.weir.benchmarks.recovery;
