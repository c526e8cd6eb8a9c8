package dev.weir.translation;

import java.lang.reflect.Field;
import java.util.Map;
import org.apache.beam.sdk.io.BoundedReadFromUnboundedSource;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.runners.PTransformOverride;
import org.apache.beam.sdk.runners.PTransformOverrideFactory;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.construction.ReplacementOutputs;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.ValueWithRecordId;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.joda.time.Duration;

/**
 * Runs {@code Read.from(unboundedSource).withMaxNumRecords(n)} / {@code .withMaxReadTime(d)} as
 * Weir's source loop with bounds instead of the SDK's expansion. The SDK reads each split in a
 * DoFn call, one split after another, and checks its time bound only while the reader has no
 * data, so a split that always has data is read to its record bound (forever, with only a time
 * bound), and many splits take their time bound each, one after another. Here every split of a
 * subtask is read at once, each stops at its share of the records or when its time is up, and
 * the output is bounded; duplicates are dropped by record id as the SDK does.
 */
public final class BoundedReadOverride {
  private BoundedReadOverride() {}

  /** Replaces every {@link BoundedReadFromUnboundedSource}. */
  public static PTransformOverride override() {
    return PTransformOverride.of(
        application -> application.getTransform() instanceof BoundedReadFromUnboundedSource,
        new Factory<>());
  }

  /** The primitive read: the source, read within its bounds, each element with its record id. */
  public static final class Primitive<T>
      extends PTransform<PBegin, PCollection<ValueWithRecordId<T>>> {
    private final UnboundedSource<T, ?> source;
    private final long maxNumRecords;
    private final @Nullable Duration maxReadTime;

    Primitive(UnboundedSource<T, ?> source, long maxNumRecords, @Nullable Duration maxReadTime) {
      this.source = source;
      this.maxNumRecords = maxNumRecords;
      this.maxReadTime = maxReadTime;
    }

    public UnboundedSource<T, ?> source() {
      return source;
    }

    /** Records to read over all splits; {@code Long.MAX_VALUE}: no bound. */
    public long maxNumRecords() {
      return maxNumRecords;
    }

    /** How long each split is read; null: no bound. */
    public @Nullable Duration maxReadTime() {
      return maxReadTime;
    }

    @Override
    public PCollection<ValueWithRecordId<T>> expand(PBegin input) {
      return PCollection.createPrimitiveOutputInternal(
          input.getPipeline(),
          WindowingStrategy.globalDefault(),
          PCollection.IsBounded.BOUNDED,
          ValueWithRecordId.ValueWithRecordIdCoder.of(source.getOutputCoder()));
    }
  }

  /** What replaces the SDK's transform: the primitive read, deduplication if needed, the values. */
  private static final class Replacement<T> extends PTransform<PBegin, PCollection<T>> {
    private final Primitive<T> read;

    Replacement(Primitive<T> read) {
      this.read = read;
    }

    @Override
    public PCollection<T> expand(PBegin input) {
      PCollection<ValueWithRecordId<T>> records = input.apply("Read", read);
      if (read.source().requiresDeduping()) {
        records =
            records.apply(
                Distinct.<ValueWithRecordId<T>, byte[]>withRepresentativeValueFn(
                        ValueWithRecordId::getId)
                    .withRepresentativeType(TypeDescriptor.of(byte[].class)));
      }
      return records
          .apply("StripIds", ParDo.of(new ValueWithRecordId.StripIdsDoFn<T>()))
          .setCoder(read.source().getOutputCoder());
    }
  }

  private static final class Factory<T>
      implements PTransformOverrideFactory<
          PBegin, PCollection<T>, BoundedReadFromUnboundedSource<T>> {
    @Override
    public PTransformReplacement<PBegin, PCollection<T>> getReplacementTransform(
        AppliedPTransform<PBegin, PCollection<T>, BoundedReadFromUnboundedSource<T>> transform) {
      BoundedReadFromUnboundedSource<T> original = transform.getTransform();
      @SuppressWarnings("unchecked")
      UnboundedSource<T, ?> source = (UnboundedSource<T, ?>) field(original, "source");
      long maxNumRecords = (Long) field(original, "maxNumRecords");
      Duration maxReadTime = (Duration) field(original, "maxReadTime");
      return PTransformReplacement.of(
          transform.getPipeline().begin(),
          new Replacement<>(new Primitive<>(source, maxNumRecords, maxReadTime)));
    }

    @Override
    public Map<PCollection<?>, ReplacementOutput> mapOutputs(
        Map<TupleTag<?>, PCollection<?>> outputs, PCollection<T> newOutput) {
      return ReplacementOutputs.singleton(outputs, newOutput);
    }

    /**
     * The SDK's transform keeps its bounds in private fields and has no getters; Weir builds on
     * one SDK version (2.70.0), whose field names these are.
     */
    private static @Nullable Object field(BoundedReadFromUnboundedSource<?> transform, String name) {
      try {
        Field field = BoundedReadFromUnboundedSource.class.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(transform);
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new IllegalStateException(
            "Cannot read field '"
                + name
                + "' of "
                + BoundedReadFromUnboundedSource.class.getName()
                + "; this Beam version's class differs from the one Weir was built for",
            e);
      }
    }
  }
}
