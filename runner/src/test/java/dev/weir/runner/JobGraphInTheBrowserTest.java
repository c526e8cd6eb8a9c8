package dev.weir.runner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.weir.web.HeadlessChromium;
import dev.weir.web.RawHttp;
import dev.weir.web.ResponseSchemas;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.Test;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The job page's graph in headless Chromium for a branching and joining streaming job on the
 * embedded cluster: two sources, each read by both a CoGroupByKey and a Flatten followed by a
 * count. The page draws one box per stage of the plan and one edge per plan edge, labelled with
 * its exchange; every edge runs left to right and no two boxes overlap. Saved as {@code
 * target/ui-screenshots/job-graph.png}.
 */
public class JobGraphInTheBrowserTest {
  private static final Path SCREENSHOTS = Paths.get("target", "ui-screenshots");

  /** Per box: stage id, left, top, right, bottom in page pixels. */
  private static final String BOXES =
      "return [...document.querySelectorAll('.graph .stage')].map(b => {"
          + " const r = b.getBoundingClientRect();"
          + " return [Number(b.dataset.stage), r.left, r.top, r.right, r.bottom]; });";

  private static final String EDGES =
      "return [...document.querySelectorAll('svg.edges g.edge-group')].map(g =>"
          + " [Number(g.querySelector('path.edge').dataset.edge),"
          + " g.querySelector('text.edge-label').textContent,"
          + " ...(r => [r.left, r.top, r.right, r.bottom])("
          + "g.querySelector('rect.edge-label-bg').getBoundingClientRect())]);";

  @Test
  public void aBranchingAndJoiningJobIsDrawnAsALayeredGraphWithAnEdgePerPlanEdge()
      throws Exception {
    Pipeline p =
        Pipeline.create(
            PipelineOptionsFactory.fromArgs(
                    "--runner=WeirRunner",
                    "--webPort=0",
                    "--parallelism=2",
                    "--stateBackend=memory",
                    "--jobName=branching")
                .create());
    PCollection<KV<Long, Long>> clicks = keyed(p, "Clicks");
    PCollection<KV<Long, Long>> views = keyed(p, "Views");
    TupleTag<Long> clickTag = new TupleTag<>();
    TupleTag<Long> viewTag = new TupleTag<>();
    KeyedPCollectionTuple.of(clickTag, clicks)
        .and(viewTag, views)
        .apply("JoinClicksAndViews", CoGroupByKey.create())
        .apply(
            "JoinedSizes",
            MapElements.into(TypeDescriptors.longs())
                .via(
                    (KV<Long, CoGbkResult> kv) ->
                        java.util.stream.StreamSupport.stream(
                                kv.getValue().getAll(clickTag).spliterator(), false)
                            .count()));
    PCollectionList.of(clicks)
        .and(views)
        .apply("AllEvents", Flatten.pCollections())
        .apply("EventsPerKey", Count.perKey());
    WeirPipelineResult result = (WeirPipelineResult) p.run();
    try (HeadlessChromium browser = HeadlessChromium.start()) {
      String url = result.webUrl().orElseThrow();
      RawHttp http = new RawHttp(URI.create(url).getPort());
      String jobId =
          new JSONObject(http.get("/api/v1/jobs").body())
              .getJSONArray("jobs")
              .getJSONObject(0)
              .getString("id");
      JSONObject plan = ResponseSchemas.validate("job", http.get("/api/v1/jobs/" + jobId).body());
      JSONArray stages = plan.getJSONArray("stages");
      JSONArray edges = plan.getJSONArray("edges");
      // The plan branches (a stage feeding two) and joins (a stage fed by two): else the test
      // would check a chain.
      Map<Integer, Integer> fanOut = new HashMap<>();
      Map<Integer, Integer> fanIn = new HashMap<>();
      for (int i = 0; i < edges.length(); i++) {
        fanOut.merge(edges.getJSONObject(i).getInt("from"), 1, Integer::sum);
        fanIn.merge(edges.getJSONObject(i).getInt("to"), 1, Integer::sum);
      }
      assertTrue(plan.toString(), fanOut.values().stream().anyMatch(n -> n >= 2));
      assertTrue(plan.toString(), fanIn.values().stream().anyMatch(n -> n >= 2));

      WebDriverWait wait = new WebDriverWait(browser.driver(), Duration.ofSeconds(90));
      browser.driver().get(url + "#job/" + jobId);
      wait.until(
          d ->
              ((Long) browser.script("return document.querySelectorAll('.graph .stage').length;"))
                  == stages.length());
      // Counts and busy time arrive with the workers' reports: wait until every box shows some.
      wait.until(
          d ->
              ((Long)
                      browser.script(
                          "return [...document.querySelectorAll('.graph .stage .load')]"
                              + ".filter(e => e.textContent.startsWith('busy')).length;"))
                  == stages.length());

      @SuppressWarnings("unchecked")
      List<List<Number>> boxes = (List<List<Number>>) browser.script(BOXES);
      @SuppressWarnings("unchecked")
      List<List<Object>> drawn = (List<List<Object>>) browser.script(EDGES);
      assertEquals(stages.length(), boxes.size());
      assertEquals(plan.toString(), edges.length(), drawn.size());
      Map<Integer, double[]> box = new HashMap<>();
      for (List<Number> b : boxes) {
        box.put(
            b.get(0).intValue(),
            new double[] {
              b.get(1).doubleValue(), b.get(2).doubleValue(), b.get(3).doubleValue(), b.get(4).doubleValue()
            });
      }
      for (int i = 0; i < stages.length(); i++) {
        assertTrue(box.containsKey(stages.getJSONObject(i).getInt("id")));
      }
      // No two boxes overlap.
      List<Integer> ids = new ArrayList<>(box.keySet());
      for (int i = 0; i < ids.size(); i++) {
        for (int j = i + 1; j < ids.size(); j++) {
          double[] a = box.get(ids.get(i));
          double[] b = box.get(ids.get(j));
          boolean apart = a[2] <= b[0] || b[2] <= a[0] || a[3] <= b[1] || b[3] <= a[1];
          assertTrue("stages " + ids.get(i) + " and " + ids.get(j) + " overlap", apart);
        }
      }
      // Each plan edge drawn once, labelled with its exchange, from a box to one right of it.
      Map<Integer, String> labels = new HashMap<>();
      for (List<Object> e : drawn) {
        labels.put(((Number) e.get(0)).intValue(), String.valueOf(e.get(1)));
      }
      for (int i = 0; i < edges.length(); i++) {
        JSONObject e = edges.getJSONObject(i);
        assertEquals(
            e.toString(), e.getString("kind").toLowerCase(Locale.ROOT), labels.get(e.getInt("id")));
        assertTrue(
            e.toString(), box.get(e.getInt("from"))[2] < box.get(e.getInt("to"))[0]);
      }
      // Labels are readable: no two overlap.
      for (int i = 0; i < drawn.size(); i++) {
        for (int j = i + 1; j < drawn.size(); j++) {
          double[] a = rect(drawn.get(i));
          double[] b = rect(drawn.get(j));
          boolean apart = a[2] <= b[0] || b[2] <= a[0] || a[3] <= b[1] || b[3] <= a[1];
          assertTrue("labels of edges " + drawn.get(i) + " and " + drawn.get(j) + " overlap", apart);
        }
      }
      // Every step of the plan is listed in its stage's box, the full name on hover.
      @SuppressWarnings("unchecked")
      List<String> titles =
          (List<String>)
              browser.script(
                  "return [...document.querySelectorAll('.graph .stage .step')].map(e => e.title);");
      int steps = 0;
      for (int i = 0; i < stages.length(); i++) {
        for (Object step : stages.getJSONObject(i).getJSONArray("steps")) {
          assertTrue(step + " not in " + titles, titles.contains(step.toString()));
          steps++;
        }
      }
      assertEquals(steps, titles.size());
      browser.screenshot(SCREENSHOTS, "job-graph");
    } finally {
      result.cancel();
    }
  }

  /** An edge label's left, top, right, bottom. */
  private static double[] rect(List<Object> edge) {
    double[] r = new double[4];
    for (int i = 0; i < 4; i++) {
      r[i] = ((Number) edge.get(2 + i)).doubleValue();
    }
    return r;
  }

  /** A source of ticks in one-second windows, keyed by their value modulo 8. */
  private static PCollection<KV<Long, Long>> keyed(Pipeline p, String name) {
    return p.apply(name, GenerateSequence.from(0).withRate(20, org.joda.time.Duration.standardSeconds(1)))
        .apply(name + "Windows", Window.into(FixedWindows.of(org.joda.time.Duration.standardSeconds(1))))
        .apply(
            name + "ByKey",
            WithKeys.of((Long x) -> x % 8).withKeyType(TypeDescriptors.longs()));
  }
}
