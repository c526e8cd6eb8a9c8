/**
 * What the web server may know of a cluster: one read-only interface, {@link
 * dev.weir.web.view.ClusterView}, and the plain value records it returns. The coordinator implements
 * it over its jobs and workers; the server only reads. Nothing here refers to the coordinator's
 * classes, so the web module depends on no other Weir module.
 */
package dev.weir.web.view;
