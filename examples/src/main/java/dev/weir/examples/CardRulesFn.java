package dev.weir.examples;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * The rules of {@link FlagSuspiciousCards}, per card. A transaction is buffered until the
 * watermark passes its time, so that the rules see a card's transactions in event-time order (those
 * of one instant by amount): one event-time timer wakes the card at its earliest buffered
 * transaction, or, with nothing buffered, when its remembered transactions fall out of the rules'
 * span, so an idle card's state is cleared.
 */
final class CardRulesFn extends DoFn<KV<String, Long>, String> {
  private final int maxTransactions;
  private final Duration within;
  private final long smallBelowCents;
  private final long largeFromCents;

  /** Transactions not yet seen by the rules: amount in cents at the transaction's time. */
  @StateId("pending")
  private final StateSpec<BagState<TimestampedValue<Long>>> pendingSpec =
      StateSpecs.bag(TimestampedValue.TimestampedValueCoder.of(VarLongCoder.of()));

  /** Times (millis) of the transactions the rules have seen within the last {@code within}. */
  @StateId("recent")
  private final StateSpec<ValueState<List<Long>>> recentSpec =
      StateSpecs.value(ListCoder.of(VarLongCoder.of()));

  /** The last transaction the rules saw: time (millis) and amount (cents). */
  @StateId("previous")
  private final StateSpec<ValueState<KV<Long, Long>>> previousSpec =
      StateSpecs.value(KvCoder.of(VarLongCoder.of(), VarLongCoder.of()));

  /** When the timer is set for (millis); the timer itself cannot be read back. */
  @StateId("wakeAt")
  private final StateSpec<ValueState<Long>> wakeAtSpec = StateSpecs.value(VarLongCoder.of());

  @TimerId("wake")
  private final TimerSpec wakeSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

  CardRulesFn(int maxTransactions, Duration within, long smallBelowCents, long largeFromCents) {
    this.maxTransactions = maxTransactions;
    this.within = within;
    this.smallBelowCents = smallBelowCents;
    this.largeFromCents = largeFromCents;
  }

  @ProcessElement
  public void processElement(
      @Element KV<String, Long> transaction,
      @Timestamp Instant time,
      @StateId("pending") BagState<TimestampedValue<Long>> pending,
      @StateId("wakeAt") ValueState<Long> wakeAt,
      @TimerId("wake") Timer wake) {
    pending.add(TimestampedValue.of(transaction.getValue(), time));
    Long at = wakeAt.read();
    if (at == null || time.getMillis() < at) {
      wake.set(time);
      wakeAt.write(time.getMillis());
    }
  }

  @OnTimer("wake")
  public void onWake(
      OnTimerContext context,
      @Key String card,
      @StateId("pending") BagState<TimestampedValue<Long>> pending,
      @StateId("recent") ValueState<List<Long>> recentState,
      @StateId("previous") ValueState<KV<Long, Long>> previousState,
      @StateId("wakeAt") ValueState<Long> wakeAt,
      @TimerId("wake") Timer wake) {
    long now = context.timestamp().getMillis();
    // The watermark has passed `now`: every transaction up to it is here.
    List<TimestampedValue<Long>> due = new ArrayList<>();
    List<TimestampedValue<Long>> later = new ArrayList<>();
    for (TimestampedValue<Long> t : pending.read()) {
      (t.getTimestamp().getMillis() <= now ? due : later).add(t);
    }
    due.sort(
        Comparator.comparing((TimestampedValue<Long> t) -> t.getTimestamp())
            .thenComparing(TimestampedValue::getValue));

    List<Long> stored = recentState.read();
    List<Long> recent = stored == null ? new ArrayList<>() : new ArrayList<>(stored);
    KV<Long, Long> previous = previousState.read();
    for (TimestampedValue<Long> t : due) {
      long time = t.getTimestamp().getMillis();
      long cents = t.getValue();
      String prefix = t.getTimestamp() + "," + card;
      recent.removeIf(seen -> seen <= time - within.getMillis());
      recent.add(time);
      if (recent.size() >= maxTransactions) {
        context.output(prefix + ",rapid," + recent.size());
      }
      if (previous != null
          && previous.getValue() < smallBelowCents
          && cents >= largeFromCents
          && time - previous.getKey() < within.getMillis()) {
        context.output(
            prefix
                + ",small-then-large,"
                + FlagSuspiciousCards.amount(previous.getValue())
                + ","
                + FlagSuspiciousCards.amount(cents));
      }
      previous = KV.of(time, cents);
    }
    // What no later transaction (at `now` or after) can fall within `within` of is forgotten.
    recent.removeIf(seen -> seen <= now - within.getMillis());
    if (previous != null && previous.getKey() <= now - within.getMillis()) {
      previous = null;
    }

    pending.clear();
    later.forEach(pending::add);
    write(recentState, recent.isEmpty() ? null : recent);
    write(previousState, previous);

    long next = Long.MAX_VALUE;
    for (TimestampedValue<Long> t : later) {
      next = Math.min(next, t.getTimestamp().getMillis());
    }
    for (long seen : recent) {
      next = Math.min(next, seen + within.getMillis());
    }
    if (previous != null) {
      next = Math.min(next, previous.getKey() + within.getMillis());
    }
    if (next == Long.MAX_VALUE) {
      wakeAt.clear();
    } else {
      wake.set(new Instant(next));
      wakeAt.write(next);
    }
  }

  private static <T> void write(ValueState<T> state, T value) {
    if (value == null) {
      state.clear();
    } else {
      state.write(value);
    }
  }
}
