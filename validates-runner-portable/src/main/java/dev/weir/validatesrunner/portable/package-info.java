/**
 * Runs Beam's ValidatesRunner suite (SDK 2.65.0) through {@code PortableRunner} against Weir's
 * job server: the server runs in a JVM of its own, on its own Beam version, started and stopped
 * around the suite by a JUnit listener.
 */
package dev.weir.validatesrunner.portable;
