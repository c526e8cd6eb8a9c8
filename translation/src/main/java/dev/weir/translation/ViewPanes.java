package dev.weir.translation;

import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.PCollectionViews;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * How a triggered side input reaches its readers: pane by pane, a pane being one firing of the
 * view's trigger over all of a window's elements, so a reader sees a pane whole or not at all
 * (Beam's model). The elements of such a view are grouped under their trigger by a GroupByKey
 * with a single key, and each firing travels on the broadcast edge as one {@code KV<Void,
 * Iterable<T>>} that replaces the window's contents. A view with the default trigger needs no
 * grouping: its window is complete when the watermark passes it, and its elements travel one by
 * one.
 *
 * <p>The grouping runs under the windowing strategy of the PCollection the view is read from, as
 * Beam's own runners do: after a GroupByKey that is the continuation trigger, so a view pane
 * follows the upstream firings.
 */
public final class ViewPanes {
  private ViewPanes() {}

  /**
   * Whether the elements of {@code view} arrive as whole panes rather than one by one. Not for a
   * singleton: each of its panes is one element (a global combine's output per firing), whole by
   * itself; grouping would only gather several firings into one pane the singleton cannot read.
   */
  public static boolean arriveAsPanes(PCollectionView<?> view) {
    return !(view.getWindowingStrategyInternal().getTrigger() instanceof DefaultTrigger)
        && !(view.getViewFn() instanceof PCollectionViews.IsSingletonView);
  }

  /** The elements of one pane of a view that {@link #arriveAsPanes arrives as panes}. */
  @SuppressWarnings("unchecked")
  public static Iterable<Object> contents(WindowedValue<?> pane) {
    return ((KV<?, Iterable<Object>>) pane.getValue()).getValue();
  }

  /** Gives every element of a view the one key its panes are grouped under. */
  static final class SingleKeyFn extends DoFn<Object, KV<Void, Object>> {
    private static final long serialVersionUID = 1L;

    @ProcessElement
    public void process(@Element Object element, OutputReceiver<KV<Void, Object>> out) {
      out.output(KV.of(null, element));
    }
  }
}
