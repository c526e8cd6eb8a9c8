/**
 * What the coordinator's web server costs: request latency of {@code /metrics} and {@code
 * jobs/{id}} for a wide job, and a job's throughput with the web server and a scraper on against
 * off.
 */
package dev.weir.benchmarks.web;
