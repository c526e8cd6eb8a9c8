package dev.weir.state;

import java.util.Arrays;

/**
 * The one mapping from canonical key bytes to key groups and from key groups to subtasks. Key
 * bytes are the key encoded with its coder in the nested context; the same bytes are used for
 * routing, for state and for timers.
 */
public final class KeyGroups {
  private KeyGroups() {}

  /** The key group of canonical key bytes: murmur3 (x86, 32 bit) modulo {@code maxParallelism}. */
  public static int keyGroupFor(byte[] keyBytes, int maxParallelism) {
    return Math.floorMod(murmur3(keyBytes, 0, keyBytes.length), maxParallelism);
  }

  /** The subtask that owns {@code keyGroup}; consistent with {@link KeyGroupRange#forSubtask}. */
  public static int subtaskFor(int keyGroup, int parallelism, int maxParallelism) {
    return (int) ((long) keyGroup * parallelism / maxParallelism);
  }

  /** Writes {@code keyGroup} as two big-endian bytes, the prefix of every stored key. */
  public static void writePrefix(int keyGroup, byte[] target, int offset) {
    target[offset] = (byte) (keyGroup >>> 8);
    target[offset + 1] = (byte) keyGroup;
  }

  /** Reads a prefix written by {@link #writePrefix}. */
  public static int readPrefix(byte[] source, int offset) {
    return ((source[offset] & 0xff) << 8) | (source[offset + 1] & 0xff);
  }

  /** Largest supported {@code maxParallelism}: key groups fit the two-byte prefix. */
  public static final int MAX_KEY_GROUPS = 1 << 15;

  /** murmur3_x86_32 with the given seed over {@code data[offset, offset+len)}. */
  static int murmur3(byte[] data, int offset, int len) {
    final int c1 = 0xcc9e2d51;
    final int c2 = 0x1b873593;
    int h1 = 0;
    int roundedEnd = offset + (len & 0xfffffffc);
    for (int i = offset; i < roundedEnd; i += 4) {
      int k1 =
          (data[i] & 0xff)
              | ((data[i + 1] & 0xff) << 8)
              | ((data[i + 2] & 0xff) << 16)
              | (data[i + 3] << 24);
      k1 *= c1;
      k1 = Integer.rotateLeft(k1, 15);
      k1 *= c2;
      h1 ^= k1;
      h1 = Integer.rotateLeft(h1, 13);
      h1 = h1 * 5 + 0xe6546b64;
    }
    int k1 = 0;
    switch (len & 0x03) {
      case 3:
        k1 = (data[roundedEnd + 2] & 0xff) << 16;
        // fall through
      case 2:
        k1 |= (data[roundedEnd + 1] & 0xff) << 8;
        // fall through
      case 1:
        k1 |= data[roundedEnd] & 0xff;
        k1 *= c1;
        k1 = Integer.rotateLeft(k1, 15);
        k1 *= c2;
        h1 ^= k1;
        break;
      default:
        break;
    }
    h1 ^= len;
    h1 ^= h1 >>> 16;
    h1 *= 0x85ebca6b;
    h1 ^= h1 >>> 13;
    h1 *= 0xc2b2ae35;
    h1 ^= h1 >>> 16;
    return h1;
  }

  /** Key bytes compared lexicographically as unsigned bytes. */
  public static int compareKeyBytes(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, b);
  }
}
