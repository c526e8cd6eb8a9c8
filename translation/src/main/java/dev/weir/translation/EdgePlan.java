package dev.weir.translation;

import java.io.Serializable;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * An exchange between two stages. The producer stage emits the PCollection {@code
 * producerPCollection}; the consumer stage sees the same elements as {@code consumerPCollection}
 * (the two differ only where a transform such as Reshuffle is nothing but the exchange itself).
 */
public final class EdgePlan implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int id;
  private final int fromStage;
  private final int toStage;
  private final ExchangeKind kind;
  private final String producerPCollection;
  private final String consumerPCollection;
  private final Coder<WindowedValue<?>> elementCoder;
  private final @Nullable Coder<?> keyCoder;
  private final @Nullable PCollectionView<?> sideInput;

  EdgePlan(
      int id,
      int fromStage,
      int toStage,
      ExchangeKind kind,
      String producerPCollection,
      String consumerPCollection,
      Coder<WindowedValue<?>> elementCoder,
      @Nullable Coder<?> keyCoder,
      @Nullable PCollectionView<?> sideInput) {
    this.id = id;
    this.fromStage = fromStage;
    this.toStage = toStage;
    this.kind = kind;
    this.producerPCollection = producerPCollection;
    this.consumerPCollection = consumerPCollection;
    this.elementCoder = elementCoder;
    this.keyCoder = keyCoder;
    this.sideInput = sideInput;
    if (kind == ExchangeKind.KEYED && keyCoder == null) {
      throw new IllegalArgumentException("A keyed edge needs a key coder: " + producerPCollection);
    }
  }

  public int id() {
    return id;
  }

  public int fromStage() {
    return fromStage;
  }

  public int toStage() {
    return toStage;
  }

  public ExchangeKind kind() {
    return kind;
  }

  public String producerPCollection() {
    return producerPCollection;
  }

  public String consumerPCollection() {
    return consumerPCollection;
  }

  /** Coder of the windowed elements on the wire. */
  public Coder<WindowedValue<?>> elementCoder() {
    return elementCoder;
  }

  /** For {@link ExchangeKind#KEYED}: the coder that makes the canonical key bytes. */
  public @Nullable Coder<?> keyCoder() {
    return keyCoder;
  }

  /** The view this edge feeds, if it carries a side input. */
  public @Nullable PCollectionView<?> sideInput() {
    return sideInput;
  }

  @Override
  public String toString() {
    return "edge " + id + " " + kind + " stage " + fromStage + " -> " + toStage + " ("
        + producerPCollection + (sideInput != null ? ", side input" : "") + ")";
  }
}
