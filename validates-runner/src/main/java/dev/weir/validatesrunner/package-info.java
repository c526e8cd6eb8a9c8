/**
 * Runs Beam's NeedsRunner suite (ValidatesRunner included) against a runner and judges the
 * outcome.
 *
 * <p>Surefire runs the suite and writes its XML reports; {@link
 * dev.weir.validatesrunner.ConformanceReport} then reads them, maps each test to the Beam
 * categories it declares, writes a Markdown and a TSV report, and fails the build on a
 * regression: a failure that {@code known-failures.txt} does not list. {@link
 * dev.weir.validatesrunner.TestTimeoutListener} keeps one hung test from hanging the build.
 */
package dev.weir.validatesrunner;
