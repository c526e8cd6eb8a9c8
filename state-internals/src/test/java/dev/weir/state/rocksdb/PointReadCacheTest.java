package dev.weir.state.rocksdb;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.Test;

public class PointReadCacheTest {
  private static byte[] key(int i) {
    return ByteBuffer.allocate(6).putShort((short) (i % 128)).putInt(i).array();
  }

  /** A timer's by-id key: key group, key, namespace, timer id, family, domain. */
  private static byte[] timerId(int i) {
    byte[] key = ByteBuffer.allocate(4).putInt(i).array();
    return new KeyBytesWriter(32)
        .keyGroup(i % 128)
        .lengthPrefixed(key)
        .lengthPrefixed("/")
        .lengthPrefixed("timer")
        .lengthPrefixed("")
        .oneByte(0)
        .toBytes();
  }

  private static byte[] value(int i) {
    return ByteBuffer.allocate(8).putLong(i).array();
  }

  @Test
  public void remembersValuesAndAbsencesFoundByReads() {
    PointReadCache cache = new PointReadCache(1 << 20);
    assertNull("nothing is known before a read", cache.get(0, key(1)));

    cache.remember(0, key(1), value(1));
    cache.remember(0, key(2), null);

    assertArrayEquals(value(1), cache.get(0, key(1)));
    assertSame(PointReadCache.ABSENT, cache.get(0, key(2)));
    assertNull(cache.get(0, key(3)));
  }

  @Test
  public void writesUpdateCachedKeysAndNeverAddOthers() {
    PointReadCache cache = new PointReadCache(1 << 20);
    cache.remember(0, key(1), value(1));
    cache.remember(0, key(2), null);

    cache.written(0, key(1), value(10));
    cache.written(0, key(2), value(20));
    cache.written(0, key(3), value(30));
    cache.written(0, key(1), PointReadCache.ABSENT);

    assertSame(PointReadCache.ABSENT, cache.get(0, key(1)));
    assertArrayEquals(value(20), cache.get(0, key(2)));
    assertNull("a write does not add a key no read asked for", cache.get(0, key(3)));
    assertEquals(2, cache.size());
  }

  @Test
  public void theSameKeyInTwoFamiliesIsTwoEntries() {
    PointReadCache cache = new PointReadCache(1 << 20);
    cache.remember(0, key(1), value(1));
    cache.remember(1, key(1), null);
    cache.written(1, key(1), value(2));

    assertArrayEquals(value(1), cache.get(0, key(1)));
    assertArrayEquals(value(2), cache.get(1, key(1)));
    assertNull(cache.get(2, key(1)));
  }

  @Test
  public void anEmptyValueIsAValueNotAnAbsence() {
    PointReadCache cache = new PointReadCache(1 << 20);
    byte[] empty = new byte[0];
    cache.remember(0, key(1), empty);
    assertSame(empty, cache.get(0, key(1)));
  }

  @Test
  public void aZeroBudgetCachesNothing() {
    PointReadCache cache = new PointReadCache(0);
    cache.remember(0, key(1), value(1));
    assertNull(cache.get(0, key(1)));
    assertEquals(0, cache.size());
  }

  @Test
  public void aValueLargerThanAnEighthOfTheBudgetIsNotCachedAndAWriteOfOneDropsTheKey() {
    PointReadCache cache = new PointReadCache(64 << 10);
    cache.remember(0, key(1), new byte[10_000]);
    assertNull(cache.get(0, key(1)));

    cache.remember(0, key(2), value(2));
    cache.written(0, key(2), new byte[10_000]);
    assertNull(cache.get(0, key(2)));
  }

  @Test
  public void staysWithinItsBudgetWhateverIsRead() {
    long budget = 256 << 10;
    PointReadCache cache = new PointReadCache(budget);
    Random random = new Random(7);
    for (int i = 0; i < 200_000; i++) {
      int k = random.nextInt(50_000);
      if (cache.get(0, key(k)) == null) {
        cache.remember(0, key(k), random.nextInt(4) == 0 ? null : new byte[random.nextInt(200)]);
      }
      if (random.nextInt(10) == 0) {
        cache.written(0, key(random.nextInt(50_000)), new byte[random.nextInt(400)]);
      }
      assertTrue("used " + cache.usedBytes() + " of " + budget, cache.usedBytes() <= budget);
    }
    assertTrue("the cache is in use", cache.size() > 1_000);
  }

  /** Random reads, writes and deletes against a map: a cached answer is always the latest. */
  @Test
  public void cachedAnswersAlwaysMatchTheLatestWriteThroughEvictionsAndTableGrowth() {
    PointReadCache cache = new PointReadCache(96 << 10);
    Map<Integer, byte[]> stored = new HashMap<>();
    Random random = new Random(11);
    int hits = 0;
    for (int i = 0; i < 300_000; i++) {
      int k = random.nextInt(i < 100_000 ? 500 : 20_000);
      switch (random.nextInt(4)) {
        case 0:
          byte[] v = value(random.nextInt());
          stored.put(k, v);
          cache.written(0, key(k), v);
          break;
        case 1:
          stored.remove(k);
          cache.written(0, key(k), PointReadCache.ABSENT);
          break;
        default:
          byte[] cached = cache.get(0, key(k));
          if (cached == null) {
            cache.remember(0, key(k), stored.get(k));
          } else {
            hits++;
            byte[] expected = stored.get(k);
            if (expected == null) {
              assertSame("key " + k + " at step " + i, PointReadCache.ABSENT, cached);
            } else {
              assertArrayEquals("key " + k + " at step " + i, expected, cached);
            }
          }
      }
    }
    assertTrue("hits: " + hits, hits > 50_000);
  }

  @Test
  public void aKeyReadAgainAndAgainStaysWhileAStreamOfOnceReadKeysGoesPast() {
    PointReadCache cache = new PointReadCache(64 << 10);
    byte[] hot = key(-1);
    cache.remember(0, hot, value(-1));
    for (int i = 0; i < 100_000; i++) {
      if (cache.get(0, key(i)) == null) {
        cache.remember(0, key(i), value(i));
      }
      if (i % 100 == 0) {
        byte[] cached = cache.get(0, hot);
        if (cached == null) {
          cache.remember(0, hot, value(-1));
        }
      }
    }
    assertArrayEquals(value(-1), cache.get(0, hot));
  }

  /**
   * Timers set and fired over a key space larger than the cache: every set grows a cached entry
   * (absent to a value) and evicts. Evicting where a hand sweeping the table in order had got to
   * crowded the slots ahead of it, and probe runs grew to hundreds of slots.
   */
  @Test
  public void evictionUnderChurnKeepsProbeRunsShort() {
    PointReadCache cache = new PointReadCache(4 << 20);
    int keys = 250_000;
    // Each key in turn, in a fixed shuffled order, as the state benchmark visits them.
    List<Integer> order = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      order.add(k);
    }
    Collections.shuffle(order, new Random(3));
    byte[] times = new byte[16];
    int longest = 0;
    for (int i = 0; i < 1_000_000; i++) {
      byte[] id = timerId(order.get(i % keys));
      if (cache.get(0, id) == null) {
        cache.remember(0, id, null);
      }
      cache.written(0, id, times);
      cache.written(0, id, PointReadCache.ABSENT);
      if (i % 50_000 == 0) {
        longest = Math.max(longest, cache.longestRun());
      }
    }
    // Holding a fraction of the keys, so most reads missed and many entries were evicted.
    assertTrue("entries " + cache.size(), cache.size() > 20_000 && cache.size() < keys / 2);
    System.out.println("longest probe run: " + longest);
    assertTrue("longest probe run " + longest, longest < 100);
  }

  @Test
  public void onceTheCacheIsFullAKeyGetsInOnItsSecondMiss() {
    PointReadCache cache = new PointReadCache(64 << 10);
    int filled = 0;
    while (cache.size() == filled) {
      cache.remember(0, key(filled), value(filled));
      filled++;
    }
    // The last remember did not add a key: the cache is full.
    int newKey = 1_000_000;
    cache.remember(0, key(newKey), value(newKey));
    assertNull("first miss of a new key once full", cache.get(0, key(newKey)));
    cache.remember(0, key(newKey), value(newKey));
    assertArrayEquals("second miss", value(newKey), cache.get(0, key(newKey)));
  }
}
