/**
 * A Map that keeps at most `limit` entries and forgets the least recently used one first:
 * parsed definitions are cached per version, and a platform that deploys often must not keep every old version.
 */
export class BoundedCache<K, V> extends Map<K, V> {
  constructor(readonly limit: number) {
    super();
  }

  override get(key: K): V | undefined {
    if (!super.has(key)) return undefined;
    const value = super.get(key)!;
    super.delete(key);
    super.set(key, value);
    return value;
  }

  override set(key: K, value: V): this {
    super.delete(key);
    super.set(key, value);
    // Map iterates in insertion order: the first key is the least recently used.
    while (this.size > this.limit) super.delete(super.keys().next().value!);
    return this;
  }
}
