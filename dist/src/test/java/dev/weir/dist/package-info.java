/**
 * Tests of the distribution tarball: it is unpacked and a cluster is started from its launch
 * scripts, as a user would.
 */
package dev.weir.dist;
