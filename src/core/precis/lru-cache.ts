import { ownString } from '../own-string.js';

/**
 * A bounded string-keyed cache with approximate least-recently-used eviction, in the
 * two-generation style of `quick-lru`: entries live in a young and an old Map of at most
 * `capacity / 2` entries each; a hit in the old generation is promoted to the young one, and
 * when the young generation fills up it becomes the old one (dropping the previous old
 * generation wholesale). Every operation is O(1) and a hit in the young generation is a single
 * `Map.get`, which matters on hot paths (refreshing recency by delete + set costs far more).
 * Used to run PRECIS/IDNA once per distinct string. Keys are kept as owned copies
 * ({@link ownString}), so a key sliced from a stanza's source does not keep that source alive.
 */
export class LruCache<V> {
  #young = new Map<string, V>();
  #old = new Map<string, V>();
  readonly #generation: number;

  /** @param capacity the maximum number of entries kept (at least 2). */
  constructor(capacity: number) {
    this.#generation = Math.max(1, Math.floor(capacity / 2));
  }

  /** The number of entries (at most the capacity). */
  get size(): number {
    let n = this.#young.size;
    for (const k of this.#old.keys()) if (!this.#young.has(k)) n++;
    return n;
  }

  /** The value for `key`, marking it recently used; `undefined` when absent. */
  get(key: string): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old !== undefined) {
      this.#old.delete(key);
      this.#insert(key, old);
    }
    return old;
  }

  /** Store a value, evicting the oldest generation when full. */
  set(key: string, value: V): void {
    if (this.#young.has(key)) this.#young.set(key, value);
    else {
      this.#old.delete(key);
      this.#insert(key, value);
    }
  }

  #insert(key: string, value: V): void {
    if (this.#young.size >= this.#generation) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(ownString(key), value);
  }

  /** Remove every entry. */
  clear(): void {
    this.#young.clear();
    this.#old.clear();
  }
}
