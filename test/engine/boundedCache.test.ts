import assert from "node:assert/strict";
import { BoundedCache } from "../../server/engine/runtime/boundedCache.js";

describe("parsed definition cache (BoundedCache)", () => {
  it("keeps at most its limit and forgets the least recently used entry first", () => {
    const cache = new BoundedCache<string, number>(3);
    cache.set("v1", 1).set("v2", 2).set("v3", 3);
    assert.equal(cache.get("v1"), 1); // v1 is now the most recently used
    cache.set("v4", 4);
    assert.deepEqual([...cache.keys()].sort(), ["v1", "v3", "v4"]);
    assert.equal(cache.get("v2"), undefined);
    assert.equal(cache.size, 3);
  });

  it("replacing a key does not evict another", () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set("a", 1).set("b", 2).set("a", 3);
    assert.equal(cache.get("a"), 3);
    assert.equal(cache.get("b"), 2);
  });
});
