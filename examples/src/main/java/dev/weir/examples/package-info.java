/**
 * Runnable Beam pipelines that show Weir at work. Each example is a plain Beam pipeline with a
 * {@code main}; run it on Weir with {@code --runner=WeirRunner}, or on any other Beam runner. The
 * examples ship their own small input so they run from a fresh clone without downloads.
 */
package dev.weir.examples;
