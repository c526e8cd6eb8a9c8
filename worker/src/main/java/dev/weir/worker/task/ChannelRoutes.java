package dev.weir.worker.task;

import dev.weir.worker.exchange.ChannelEvent;
import dev.weir.worker.operators.ElementReceiver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Where the data of each input channel goes, by gate index: decoded with the channel's edge coder,
 * to the receivers of the PCollection it feeds, or to the operators reading it as a side input.
 */
final class ChannelRoutes {
  private final Coder<WindowedValue<?>>[] coders;
  private final @Nullable PCollectionView<?>[] sideInputs;
  private final ElementReceiver[] receivers;
  private final OperatorChain chain;

  ChannelRoutes(
      Coder<WindowedValue<?>>[] coders,
      @Nullable PCollectionView<?>[] sideInputs,
      ElementReceiver[] receivers,
      OperatorChain chain) {
    this.coders = coders;
    this.sideInputs = sideInputs;
    this.receivers = receivers;
    this.chain = chain;
  }

  /** Decodes {@code batch} from channel {@code channel} and hands on each element in order. */
  void deliver(int channel, ChannelEvent.DataBatch batch) throws IOException {
    ByteArrayInputStream in = new ByteArrayInputStream(batch.payload());
    Coder<WindowedValue<?>> coder = coders[channel];
    PCollectionView<?> view = sideInputs[channel];
    ElementReceiver receiver = receivers[channel];
    for (int i = 0; i < batch.elementCount(); i++) {
      WindowedValue<?> element = coder.decode(in);
      if (view != null) {
        chain.processSideInput(view, element);
      } else {
        receiver.accept(element);
      }
    }
  }
}
