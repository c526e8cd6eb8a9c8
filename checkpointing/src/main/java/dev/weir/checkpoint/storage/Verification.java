package dev.weir.checkpoint.storage;

/** How thoroughly to check a checkpoint's files before trusting it. */
public enum Verification {
  /** Every named file exists with its recorded size: one metadata call per file, no reading. */
  SIZES,
  /** Also read every file and compare its CRC32C: reads the whole checkpoint. */
  CHECKSUMS
}
