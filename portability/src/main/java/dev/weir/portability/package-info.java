/**
 * The portability layer (Beam Job API, artifact staging, Fn API execution for non-Java SDKs).
 * Empty until its issue is taken; it will sit on top of the runner and the worker.
 */
package dev.weir.portability;
