package dev.hitflow.udfs.cache;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Results of an expensive pure lookup (GeoIP record decoding, user-agent parsing), shared by
 * threads, holding at most {@code capacity} entries: full, it is emptied and refills. Cheaper per
 * hit than LRU bookkeeping; where the working set fits, nothing is ever recomputed.
 */
public final class ResultCache<K, V> {
    private final int capacity;
    private final ConcurrentHashMap<K, V> results = new ConcurrentHashMap<>();

    public ResultCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
    }

    /** The result remembered for {@code key}, or null. */
    public V get(K key) {
        return results.get(key);
    }

    /** Remembers a result, emptying the cache first when it is full. */
    public void put(K key, V value) {
        if (results.size() >= capacity) {
            results.clear();
        }
        results.put(key, value);
    }
}
