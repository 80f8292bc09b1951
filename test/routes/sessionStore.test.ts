import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { DatabaseSessionStore } from "../../server/auth/sessionStore.js";
import { testApp } from "../helpers/testApp.js";

describe("session store", () => {
  it("reads a damaged session row as no session (the request is answered, the person signs in again)", async () => {
    const { db } = testApp();
    const sid = randomBytes(12).toString("hex");
    const now = new Date();
    await db.transaction((t) =>
      db.sequelize.query("INSERT INTO sessions (sid, data, expires, created_at, updated_at) VALUES (:sid, :data, :expires, :now, :now)", {
        replacements: { sid, data: "{ not json", expires: new Date(now.getTime() + 60_000), now },
        transaction: t,
      }),
    );
    const store = new DatabaseSessionStore(db);
    const answer = await new Promise<{ err: unknown; session: unknown }>((resolve) =>
      store.get(sid, (err, session) => resolve({ err, session })),
    );
    assert.deepEqual(answer, { err: null, session: null });
  });
});
