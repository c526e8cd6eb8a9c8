package dev.weir.worker.task;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.weir.checkpoint.proto.AcknowledgeCheckpoint;
import dev.weir.checkpoint.proto.StateFormat;
import dev.weir.checkpoint.proto.SubtaskState;
import dev.weir.state.KeyGroupRange;
import dev.weir.state.KeyGroups;
import dev.weir.state.KeyedStateBackend;
import dev.weir.state.StateKey;
import dev.weir.worker.exchange.ChannelEvent;
import dev.weir.worker.exchange.ChannelId;
import dev.weir.worker.exchange.InputGate;
import dev.weir.worker.operators.ElementReceiver;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Instant;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Barrier alignment in a subtask's input loop, with the subtask's real checkpoint action: keyed
 * state in a heap backend, uploaded to a {@code file://} checkpoint directory. The gate holds a
 * blocked channel's events back as a real gate does.
 */
public class CheckpointAlignmentTest {
  private static final long END = BoundedWindow.TIMESTAMP_MAX_VALUE.getMillis();
  private static final long WAIT_MILLIS = 60_000;

  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private final OperatorChain chain = new OperatorChain();
  private final RecordingOperator operator = new RecordingOperator("op", log);
  private final BlockingGate gate = new BlockingGate(log);
  private final RecordingListener listener = new RecordingListener();
  private final CheckpointMailbox mailbox = new CheckpointMailbox();
  private final CheckpointUploads uploads = new CheckpointUploads();
  private final KeyedStateBackend backend =
      StateBackendFactory.inMemory()
          .create(new TaskId("job", 0, 0), "op", KeyGroupRange.of(0, 128), GlobalWindow.Coder.INSTANCE);
  private SubtaskCheckpointer checkpointer;

  @After
  public void close() {
    backend.close();
    uploads.close();
  }

  private void run(int channelCount) throws Exception {
    chain.add(operator, List.of());
    operator.entries = Map.of("position", "at-3".getBytes(StandardCharsets.UTF_8));
    backend
        .stateInternals(key("k"))
        .state(StateNamespaces.global(), StateTags.value("v", StringUtf8Coder.of()))
        .write("kept");
    OperatorBackends backends = new OperatorBackends();
    backends.add("op", backend);
    PCollectionView<?>[] sideInputs = new PCollectionView<?>[channelCount];
    SubtaskOutputs outputs = new SubtaskOutputs();
    CurrentBundle bundle = new CurrentBundle(chain, outputs);
    InputChannels channels = new InputChannels(sideInputs);
    SubtaskTime time =
        new SubtaskTime(true, () -> new Instant(0), chain, outputs, bundle, channels);
    Path snapshots = temp.newFolder("snapshots").toPath();
    StateBackendFactory inMemory = StateBackendFactory.inMemory();
    checkpointer =
        new SubtaskCheckpointer(
            new TaskId("job", 2, 0, 1),
            List.of("op"),
            List.of(operator),
            backends,
            KeyGroupRange.of(0, 128),
            bundle,
            event -> log.add("forward " + event),
            new SnapshotsIn(inMemory, snapshots),
            uploads,
            temp.newFolder("checkpoints").toURI().toString(),
            listener,
            new org.apache.beam.runners.core.metrics.MetricsContainerStepMap());
    @SuppressWarnings({"unchecked", "rawtypes"})
    Coder<WindowedValue<?>>[] coders = new Coder[channelCount];
    ElementReceiver[] receivers = new ElementReceiver[channelCount];
    for (int i = 0; i < channelCount; i++) {
      coders[i] = (Coder) elementCoder();
      receivers[i] = operator::processElement;
    }
    new InputLoop(
            gate,
            channels,
            new ChannelRoutes(coders, sideInputs, receivers, chain),
            chain,
            bundle,
            time,
            new ProgressSignals(),
            null,
            () -> new Instant(0),
            checkpointer,
            mailbox)
        .run();
  }

  @Test
  public void dataAfterABarrierWaitsForTheSnapshotWhileOtherChannelsCatchUp() throws Exception {
    gate.send(0, data(1));
    gate.send(0, new ChannelEvent.CheckpointBarrier(7));
    gate.send(0, data(2));
    gate.send(1, data(3));
    gate.send(1, new ChannelEvent.CheckpointBarrier(7));
    gate.send(1, data(4));
    gate.send(0, ChannelEvent.EndOfInput.INSTANCE);
    gate.send(1, ChannelEvent.EndOfInput.INSTANCE);

    long before = System.currentTimeMillis();
    run(2);
    long after = System.currentTimeMillis();

    assertEquals(
        List.of(
            "op element 1",
            "gate block 0",
            "op element 3",
            "op snapshot 7",
            "forward CheckpointBarrier[7]",
            "gate resume",
            "op element 2",
            "op element 4",
            "op watermark " + END),
        withoutBundleEnds());
    // Invariant 6: the bundle ended right before the snapshot.
    assertEquals("op finish bundle", log.get(log.indexOf("op snapshot 7") - 1));

    AcknowledgeCheckpoint ack = listener.nextAck();
    assertEquals(7, ack.getCheckpointId());
    // Began when channel 0's barrier arrived; aligned until channel 1's, within the run.
    assertTrue(ack.toString(), ack.getStartedAtMillis() >= before);
    assertTrue(ack.toString(), ack.getStartedAtMillis() <= after);
    assertTrue(ack.toString(), ack.getAlignmentDurationMillis() <= after - before);
    assertEquals(2, ack.getStage());
    assertEquals(1, ack.getAttempt());
    assertEquals(1, ack.getOperatorsCount());
    SubtaskState state = ack.getOperators(0);
    assertEquals("op", state.getOperatorId());
    assertEquals("position", state.getEntries(0).getName());
    assertEquals("at-3", state.getEntries(0).getValue().toStringUtf8());
    assertEquals(128, state.getKeyGroups().getEnd());
    assertEquals(StateFormat.HEAP_SNAPSHOT, state.getKeyedState().getFormat());
    assertTrue(state.getKeyedState().getFilesCount() > 0);
    assertTrue(ack.getUploadedBytes() > 0);
    assertEquals(ack.getUploadedBytes(), ack.getStateBytes());
    assertTrue(listener.declines.isEmpty());
    // The local snapshot is gone once uploaded.
    checkpointer.awaitUploads();
    assertEquals(List.of(), localSnapshotDirectories());
  }

  /**
   * The producers finished without sending the barrier (a bounded source that was done before the
   * trigger): the trigger the subtask passed over while its input was open is taken once the input
   * has ended (CheckpointMailbox#inputEnded).
   */
  @Test
  public void aTriggerPassedOverWhileInputWasOpenIsTakenOnceTheInputHasEnded() throws Exception {
    mailbox.trigger(4);
    gate.send(0, data(1));
    gate.send(0, ChannelEvent.EndOfInput.INSTANCE);
    gate.send(1, ChannelEvent.EndOfInput.INSTANCE);

    run(2);
    assertFalse(log.contains("op snapshot 4"));
    mailbox.inputEnded(checkpointer);

    assertTrue(log.toString(), log.contains("op snapshot 4"));
    assertTrue(log.toString(), log.contains("forward CheckpointBarrier[4]"));
    assertEquals(4, listener.nextAck().getCheckpointId());
  }

  /** A checkpoint reaches a subtask both as a trigger and as barriers: it is taken once. */
  @Test
  public void aTriggerWhoseBarriersWereAlignedIsNotTakenAgainOnceTheInputHasEnded()
      throws Exception {
    mailbox.trigger(3);
    gate.send(0, new ChannelEvent.CheckpointBarrier(3));
    gate.send(1, new ChannelEvent.CheckpointBarrier(3));
    gate.send(0, ChannelEvent.EndOfInput.INSTANCE);
    gate.send(1, ChannelEvent.EndOfInput.INSTANCE);

    run(2);
    mailbox.inputEnded(checkpointer);

    assertEquals(log.toString(), 1, log.stream().filter("op snapshot 3"::equals).count());
    assertEquals(3, listener.nextAck().getCheckpointId());
    checkpointer.awaitUploads();
    assertTrue(listener.acks.isEmpty());
  }

  /** A passed-over trigger whose checkpoint has since ended (aborted here) starts nothing. */
  @Test
  public void aPassedOverTriggerWhoseCheckpointEndedIsNotTaken() throws Exception {
    mailbox.trigger(5);
    gate.send(0, data(1));
    gate.send(0, ChannelEvent.EndOfInput.INSTANCE);
    gate.send(1, ChannelEvent.EndOfInput.INSTANCE);

    run(2);
    mailbox.outcome(5, false);
    mailbox.inputEnded(checkpointer);

    assertFalse(log.toString(), log.contains("op snapshot 5"));
    assertTrue(listener.acks.isEmpty());
  }

  @Test
  public void anEndedChannelCountsAsHavingDeliveredTheBarrier() throws Exception {
    gate.send(0, new ChannelEvent.CheckpointBarrier(3));
    gate.send(0, data(5));
    gate.send(1, data(6));
    gate.send(1, ChannelEvent.EndOfInput.INSTANCE);
    gate.send(0, ChannelEvent.EndOfInput.INSTANCE);

    run(2);

    assertEquals(
        List.of(
            "gate block 0",
            "op element 6",
            "op snapshot 3",
            "forward CheckpointBarrier[3]",
            "gate resume",
            "op element 5",
            "op watermark " + END),
        withoutBundleEnds());
    assertEquals(3, listener.nextAck().getCheckpointId());
  }

  @Test
  public void aNewerBarrierAbandonsTheAlignmentInProgress() throws Exception {
    gate.send(0, new ChannelEvent.CheckpointBarrier(1));
    gate.send(1, new ChannelEvent.CheckpointBarrier(2));
    gate.send(0, new ChannelEvent.CheckpointBarrier(2));
    gate.send(1, new ChannelEvent.CheckpointBarrier(1));
    gate.send(0, ChannelEvent.EndOfInput.INSTANCE);
    gate.send(1, ChannelEvent.EndOfInput.INSTANCE);

    run(2);

    assertEquals(
        List.of(
            "gate block 0",
            "gate resume",
            "gate block 1",
            "op snapshot 2",
            "forward CheckpointBarrier[2]",
            "gate resume",
            "op watermark " + END),
        withoutBundleEnds());
    assertEquals(1, listener.nextDecline().getCheckpointId());
    assertEquals(2, listener.nextAck().getCheckpointId());
    checkpointer.awaitUploads();
    assertTrue(listener.acks.isEmpty());
    assertTrue(listener.declines.isEmpty());
  }

  @Test
  public void aCompletedCheckpointReachesTheOperatorsOnTheSubtaskThread() throws Exception {
    Thread subtask = startLive();
    gate.send(0, new ChannelEvent.CheckpointBarrier(4));
    assertEquals(4, listener.nextAck().getCheckpointId());

    mailbox.outcome(4, true);
    awaitLog("op checkpoint complete 4 on subtask-thread");
    gate.send(0, ChannelEvent.EndOfInput.INSTANCE);
    subtask.join(WAIT_MILLIS);
    assertFalse(subtask.isAlive());
    // A single channel needs no holding back.
    assertFalse(log.contains("gate block 0"));
  }

  @Test
  public void anAbortedCheckpointIsNotAnnouncedToTheOperators() throws Exception {
    Thread subtask = startLive();
    gate.send(0, new ChannelEvent.CheckpointBarrier(4));
    assertEquals(4, listener.nextAck().getCheckpointId());

    mailbox.outcome(4, false);
    // The mailbox is taken before each event: once this element is in, so is the outcome.
    gate.send(0, data(1));
    awaitLog("op element 1");
    gate.send(0, ChannelEvent.EndOfInput.INSTANCE);
    subtask.join(WAIT_MILLIS);
    assertFalse(subtask.isAlive());
    assertTrue(log.stream().noneMatch(s -> s.contains("checkpoint complete")));
  }

  @Test
  public void aTriggerWhoseBarrierNeverCameIsTakenOnceTheInputHasEnded() throws Exception {
    // The producers finished before they took checkpoint 5: its barrier never comes.
    mailbox.trigger(5);
    gate.send(0, data(1));
    gate.send(0, ChannelEvent.EndOfInput.INSTANCE);
    gate.send(1, ChannelEvent.EndOfInput.INSTANCE);
    run(2);
    assertFalse(log.contains("op snapshot 5"));

    mailbox.inputEnded(checkpointer);

    assertTrue(log.contains("op snapshot 5"));
    assertEquals("forward CheckpointBarrier[5]", log.get(log.size() - 1));
    assertEquals(5, listener.nextAck().getCheckpointId());
  }

  @Test
  public void aTriggerWhoseBarrierCameIsNotTakenAgainOnceTheInputHasEnded() throws Exception {
    mailbox.trigger(5);
    gate.send(0, new ChannelEvent.CheckpointBarrier(5));
    gate.send(1, new ChannelEvent.CheckpointBarrier(5));
    gate.send(0, ChannelEvent.EndOfInput.INSTANCE);
    gate.send(1, ChannelEvent.EndOfInput.INSTANCE);
    run(2);
    // A trigger still in the mailbox, as if it came after the subtask's last look.
    mailbox.trigger(5);

    mailbox.inputEnded(checkpointer);
    checkpointer.awaitUploads();

    assertEquals(1, log.stream().filter("op snapshot 5"::equals).count());
    assertEquals(5, listener.nextAck().getCheckpointId());
    assertTrue(listener.acks.isEmpty());
  }

  @Test
  public void onceTheInputHasEndedTheSubtaskTakesNewTriggersItself() throws Exception {
    gate.send(0, ChannelEvent.EndOfInput.INSTANCE);
    run(1);
    mailbox.inputEnded(checkpointer);

    mailbox.trigger(6);
    mailbox.inputEnded(checkpointer);

    assertEquals(6, listener.nextAck().getCheckpointId());
  }

  /** Runs a one-channel subtask's loop on its own thread, over a gate others send to. */
  private Thread startLive() {
    gate.live = true;
    Thread subtask =
        new Thread(
            () -> {
              try {
                run(1);
              } catch (Exception e) {
                log.add("failed " + e);
              }
            },
            "subtask-thread");
    subtask.start();
    return subtask;
  }

  private void awaitLog(String entry) throws InterruptedException {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (!log.contains(entry)) {
      assertTrue("No '" + entry + "' in " + log, System.currentTimeMillis() < deadline);
      Thread.sleep(5);
    }
  }

  private List<String> localSnapshotDirectories() throws Exception {
    try (Stream<Path> files = Files.walk(temp.getRoot().toPath().resolve("snapshots"))) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("chk-"))
          .map(Path::toString)
          .collect(Collectors.toList());
    }
  }

  private List<String> withoutBundleEnds() {
    synchronized (log) {
      return log.stream().filter(s -> !s.endsWith("finish bundle")).collect(Collectors.toList());
    }
  }

  private static Coder<WindowedValue<Long>> elementCoder() {
    return WindowedValues.getFullCoder(VarLongCoder.of(), GlobalWindow.Coder.INSTANCE);
  }

  private static ChannelEvent.DataBatch data(long... values) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (long value : values) {
      elementCoder().encode(WindowedValues.valueInGlobalWindow(value), out);
    }
    return new ChannelEvent.DataBatch(out.toByteArray(), values.length);
  }

  static StateKey key(String key) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      StringUtf8Coder.of().encode(key, out, Coder.Context.NESTED);
      byte[] bytes = out.toByteArray();
      return new StateKey(bytes, key, KeyGroups.keyGroupFor(bytes, 128));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The backends of {@code delegate}, with local snapshots under {@code parent}. */
  static final class SnapshotsIn implements StateBackendFactory {
    private final StateBackendFactory delegate;
    private final Path parent;

    SnapshotsIn(StateBackendFactory delegate, Path parent) {
      this.delegate = delegate;
      this.parent = parent;
    }

    @Override
    public KeyedStateBackend create(
        TaskId task,
        String operatorName,
        KeyGroupRange keyGroups,
        Coder<? extends BoundedWindow> windowCoder) {
      return delegate.create(task, operatorName, keyGroups, windowCoder);
    }

    @Override
    public KeyedStateBackend restore(
        TaskId task,
        String operatorName,
        KeyGroupRange keyGroups,
        Coder<? extends BoundedWindow> windowCoder,
        List<Path> snapshots) {
      return delegate.restore(task, operatorName, keyGroups, windowCoder, snapshots);
    }

    @Override
    public StateFormat snapshotFormat() {
      return delegate.snapshotFormat();
    }

    @Override
    public Path snapshotParent() {
      return parent;
    }
  }

  /**
   * Hands out the events sent, in order, except those of a blocked channel, which wait until
   * {@link #resumeAll}. Idle when nothing can be handed out; {@code live} makes it wait a little
   * for events sent from another thread.
   */
  private static final class BlockingGate implements InputGate {
    private final List<String> log;
    private final LinkedList<GateEvent> events = new LinkedList<>();
    private final Set<Integer> blocked = new HashSet<>();
    volatile boolean live;

    BlockingGate(List<String> log) {
      this.log = log;
    }

    synchronized void send(int channel, ChannelEvent event) {
      events.add(new GateEvent(channel, event));
      notifyAll();
    }

    @Override
    public List<ChannelId> channels() {
      throw new UnsupportedOperationException();
    }

    @Override
    public synchronized GateEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
      for (Iterator<GateEvent> it = events.iterator(); it.hasNext(); ) {
        GateEvent next = it.next();
        if (!blocked.contains(next.channelIndex())) {
          it.remove();
          return next;
        }
      }
      // Object.wait(0) would wait forever; a gate's poll(0) only looks.
      if (live && unit.toMillis(timeout) > 0) {
        wait(unit.toMillis(timeout));
      }
      return null;
    }

    @Override
    public synchronized void block(int channelIndex) {
      log.add("gate block " + channelIndex);
      blocked.add(channelIndex);
    }

    @Override
    public synchronized void resumeAll() {
      log.add("gate resume");
      blocked.clear();
    }

    @Override
    public void close() {}
  }
}
