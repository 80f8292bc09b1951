import assert from "node:assert/strict";
import { QueryTypes } from "sequelize";
import { audit, verifyAuditChain, type AuditEntryRow } from "../../server/domain/audit.js";
import { testApp } from "../helpers/testApp.js";

/** Appends a few entries and returns the newest rows (the test owns them while it runs: mocha runs one test at a time). */
export async function appendEntries(n: number): Promise<AuditEntryRow[]> {
  const { db } = testApp();
  for (let i = 0; i < n; i++) {
    await db.transaction((t) =>
      audit(db, t, { actor: "chain-test", action: "test.appended", entityType: "test", entityId: i, detail: { i } }),
    );
  }
  return db.sequelize.query<AuditEntryRow>("SELECT * FROM audit_entries ORDER BY id DESC LIMIT :n", {
    type: QueryTypes.SELECT,
    replacements: { n },
  });
}

/** Puts a deleted row back exactly (a Date replacement would lose its milliseconds on MySQL). */
async function restore(row: AuditEntryRow): Promise<void> {
  const at = row.at instanceof Date ? row.at.toISOString().slice(0, 23).replace("T", " ") : row.at;
  await testApp().db.sequelize.query(
    `INSERT INTO audit_entries (id, at, actor, action, entity_type, entity_id, detail, ip, prev_hash, hash, chain_id, seq, hash_alg, key_id)
     VALUES (:id, :at, :actor, :action, :entity_type, :entity_id, :detail, :ip, :prev_hash, :hash, :chain_id, :seq, :hash_alg, :key_id)`,
    { replacements: { ...row, at } },
  );
}

describe("audit chain verification", () => {
  it("finds an intact chain intact", async () => {
    await appendEntries(2);
    const verdict = await verifyAuditChain(testApp().db);
    assert.equal(verdict.ok, true, JSON.stringify(verdict));
  });

  it("names the entry whose row was changed by raw SQL", async () => {
    const { db } = testApp();
    const [, target] = await appendEntries(3);
    const id = Number(target!.id);
    await db.sequelize.query("UPDATE audit_entries SET actor = 'mallory' WHERE id = :id", { replacements: { id } });
    try {
      const verdict = await verifyAuditChain(db);
      assert.equal(verdict.ok, false);
      assert.equal(verdict.firstBroken?.id, id);
      assert.match(verdict.firstBroken?.reason ?? "", /被修改/);
      assert.match(verdict.firstBroken?.reason ?? "", /“test\.appended”/, "the reason names the entry's action");
    } finally {
      await db.sequelize.query("UPDATE audit_entries SET actor = :actor WHERE id = :id", { replacements: { id, actor: target!.actor } });
    }
    assert.equal((await verifyAuditChain(db)).ok, true, "restored");
  });

  it("detects that the newest entry was deleted", async () => {
    const { db } = testApp();
    const [last] = await appendEntries(2);
    await db.sequelize.query("DELETE FROM audit_entries WHERE id = :id", { replacements: { id: last!.id } });
    try {
      const verdict = await verifyAuditChain(db);
      assert.equal(verdict.ok, false);
      assert.match(verdict.firstBroken?.reason ?? "", /最新记录被删除/);
      assert.equal(verdict.firstBroken?.id, Number(last!.id), "the head row still names the deleted entry");
    } finally {
      await restore(last!);
    }
    assert.equal((await verifyAuditChain(db)).ok, true, "restored");
  });

  it("detects a deleted entry in the middle and names the one after it", async () => {
    const { db } = testApp();
    const [after, middle] = await appendEntries(3);
    await db.sequelize.query("DELETE FROM audit_entries WHERE id = :id", { replacements: { id: middle!.id } });
    try {
      const verdict = await verifyAuditChain(db);
      assert.equal(verdict.ok, false);
      assert.equal(verdict.firstBroken?.id, Number(after!.id));
      assert.match(verdict.firstBroken?.reason ?? "", /条记录缺失（记录被删除）/);
    } finally {
      await restore(middle!);
    }
    assert.equal((await verifyAuditChain(db)).ok, true, "restored");
  });
});
