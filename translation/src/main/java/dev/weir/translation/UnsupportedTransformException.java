package dev.weir.translation;

/** A pipeline uses a transform Weir cannot run; the message names the transform and its URN. */
public class UnsupportedTransformException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public UnsupportedTransformException(String transformName, String urn, String why) {
    super(
        "Weir cannot run transform '"
            + transformName
            + "' (URN "
            + urn
            + "): "
            + why);
  }
}
