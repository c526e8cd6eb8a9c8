package dev.weir.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.weir.worker.task.TaskDeployment;
import dev.weir.worker.task.TaskListener;
import dev.weir.worker.task.WorkerGateway;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

public class SlotPlacementTest {

  private static WorkerGateway worker(String name, int slots) {
    return new WorkerGateway() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public int slots() {
        return slots;
      }

      @Override
      public String exchangeAddress() {
        return name + ":1";
      }

      @Override
      public void deploy(TaskDeployment deployment, TaskListener listener) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void cancelJob(String jobId) {}
    };
  }

  private static List<String> names(List<WorkerGateway> slots) {
    List<String> names = new ArrayList<>();
    slots.forEach(w -> names.add(w.name()));
    return names;
  }

  @Test
  public void slotsGoRoundRobinOverTheWorkersSoANarrowJobIsSpreadOut() {
    List<WorkerGateway> workers = List.of(worker("a", 2), worker("b", 1), worker("c", 3));
    assertEquals(List.of("a", "b", "c"), names(SlotPlacement.slots(workers, 3)));
    assertEquals(
        List.of("a", "b", "c", "a", "c", "c"), names(SlotPlacement.slots(workers, 6)));
    assertFalse(SlotPlacement.overSubscribed(workers, 6));
  }

  @Test
  public void noWorkerGetsMoreThanItsSlotsWhileTheClusterHasEnough() {
    List<WorkerGateway> workers = List.of(worker("a", 1), worker("b", 4));
    List<String> order = names(SlotPlacement.slots(workers, 5));
    assertEquals(1, order.stream().filter("a"::equals).count());
    assertEquals(4, order.stream().filter("b"::equals).count());
  }

  @Test
  public void withTooFewSlotsTheSlotsAreReusedFromTheFirstAndThatIsSaid() {
    List<WorkerGateway> workers = List.of(worker("a", 1), worker("b", 1));
    assertEquals(List.of("a", "b", "a"), names(SlotPlacement.slots(workers, 3)));
    assertTrue(SlotPlacement.overSubscribed(workers, 3));
  }

  @Test
  public void workersInThisJvmHaveAsManySlotsAsAJobNeeds() {
    WorkerGateway embedded =
        new WorkerGateway() {
          @Override
          public String name() {
            return "embedded";
          }

          @Override
          public String exchangeAddress() {
            return "embedded:1";
          }

          @Override
          public void deploy(TaskDeployment deployment, TaskListener listener) {}

          @Override
          public void cancelJob(String jobId) {}
        };
    assertEquals(100, SlotPlacement.slots(List.of(embedded), 100).size());
    assertFalse(SlotPlacement.overSubscribed(List.of(embedded, embedded), 1_000_000));
  }

  @Test
  public void theRefusalNamesWhatTheJobNeedsAndWhatEachWorkerHas() {
    List<WorkerGateway> workers = List.of(worker("a", 1), worker("b", 2));
    assertNull(SlotPlacement.refusal("job-1", 3, workers));
    String refusal = SlotPlacement.refusal("job-1", 4, workers);
    assertThat(refusal, containsString("Job job-1 needs 4 slots"));
    assertThat(refusal, containsString("have 3 in all (a: 1, b: 2)"));
    assertThat(refusal, containsString("--slots"));
  }
}
