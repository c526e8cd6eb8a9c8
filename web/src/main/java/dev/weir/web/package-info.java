/**
 * The coordinator's HTTP server ({@link dev.weir.web.WebServer}, on the JDK's {@code
 * com.sun.net.httpserver}): the REST API under {@code /api/v1}, Prometheus metrics at {@code
 * /metrics} and the static files of the web UI. Read-only and safe by default: loopback only,
 * GET only, a bearer token off loopback, a fixed allowlist of files, no request names a file.
 */
package dev.weir.web;
