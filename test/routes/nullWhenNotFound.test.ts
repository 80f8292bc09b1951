import assert from "node:assert/strict";
import { NotFoundError, nullWhenNotFound } from "../../server/errors.js";

describe("nullWhenNotFound (optional lookups such as a saved draft)", () => {
  it("reads a missing row as null and lets any other failure through", async () => {
    assert.equal(await Promise.reject(new NotFoundError("找不到草稿")).catch(nullWhenNotFound), null);
    const down = new Error("SQLITE_BUSY: database is locked");
    await assert.rejects(Promise.reject(down).catch(nullWhenNotFound), (err) => err === down);
  });
});
