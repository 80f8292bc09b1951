import assert from "node:assert/strict";
import request from "supertest";
import { createApp } from "../../server/app.js";
import { ManualClock } from "../../server/clock.js";
import { CreditRecord } from "../../server/db/models/CreditRecord.js";
import { CreditSubject } from "../../server/db/models/CreditSubject.js";
import { chinaDay, chinaDayStart } from "../../server/domain/calendar/days.js";
import { changeRecordStatus, createCreditRecord } from "../../server/domain/credit/creditRecords.js";
import { usccCheckCharacter } from "../../server/domain/subjects/uscc.js";
import { createLogger } from "../../server/logger.js";
import { buildSubject, buildUser, departmentId, loginAs, randomUscc } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";
import { goodRow } from "../domain/credit/importFixture.js";

describe("public credit query: only what is public now", function () {
  this.timeout(60_000);

  it("shows records 公示中 with their dates, never repaired, expired, shielded, withdrawn or unpublished ones; staff see all with history", async () => {
    const { db, app, clock } = testApp();
    const subject = await buildSubject({ name: `公开记录${Date.now()}有限公司` });
    const today = chinaDay(clock.now());
    const dept = await departmentId("swj");
    const make = async (n: number, overrides: Record<string, string>) =>
      createCreditRecord(db, {
        actor: "t",
        departmentId: dept,
        fields: {
          ...goodRow(`Q${subject.id}`, n, subject),
          decisionNumber: `Q${subject.id}-${n}`,
          decidedOn: today,
          penaltyContent: `内容${n}`,
          ...overrides,
        },
        at: clock.now(),
      });
    const shown = await make(1, { severity: "一般" });
    const unpublished = await make(2, { severity: "轻微" });
    const repaired = await make(3, { severity: "一般" });
    const shielded = await make(4, { severity: "一般" });
    const withdrawn = await make(5, { severity: "一般" });
    const expired = await make(6, { severity: "一般" });
    for (const [r, to] of [
      [repaired, "已修复（终止公示）"],
      [shielded, "已屏蔽"],
      [withdrawn, "已撤销"],
    ] as const)
      await db.transaction((t) => changeRecordStatus(db, t, { recordId: r.id, to, reason: "测试", actor: "t", at: clock.now() }));
    // Past its last day but the daily job has not run yet: the query hides it all the same.
    await CreditRecord.update(
      { publicityUntil: chinaDay(new Date(chinaDayStart(today).getTime() - 86_400_000)) },
      { where: { id: expired.id } },
    );
    const api = await request(app).get(`/api/public/subjects/${subject.code}`).expect(200);
    const titles = api.body.data.creditRecords.map((r: { title: string }) => r.title);
    assert.deepEqual(titles, [shown.title]);
    const rec = api.body.data.creditRecords[0];
    assert.equal(rec.publicityFrom, today);
    assert.equal(rec.publicityUntil, shown.publicityUntil);
    assert.ok(!JSON.stringify(api.body).includes("legalRepIdNumber"));
    const page = await request(app).get(`/public/query?code=${subject.code}`).expect(200);
    assert.match(page.text, /内容1/);
    for (const n of [2, 3, 4, 5, 6]) assert.doesNotMatch(page.text, new RegExp(`内容${n}<`));
    const staff = await loginAs(await buildUser({ roles: ["reviewer"] }));
    const profile = await staff.get(`/admin/credit/subjects/${subject.code}`).expect(200);
    for (const n of [1, 2, 3, 4, 5, 6]) assert.match(profile.text, new RegExp(`内容${n}`));
    assert.match(profile.text, /公示中 → 已屏蔽/);
    void unpublished;
  });

  it("shows the legacy-pilot flag of an accepted early-pilot code, and finds subjects by name", async () => {
    const first17 = `91410182M${Math.random()
      .toString(36)
      .slice(2, 10)
      .toUpperCase()
      .replace(/[IOSVZ]/g, "A")
      .padEnd(8, "A")}`;
    const right = usccCheckCharacter(first17);
    const wrong = right === "0" ? "1" : "0";
    const subject = await CreditSubject.create({
      code: first17 + wrong,
      name: `试点代码测试${Date.now()}公司`,
      subjectType: "法人及非法人组织",
      divisionCode: "410182",
      legacyPilot: true,
      legacyOverrideReason: "早期试点",
      legacyOverrideBy: "admin",
    });
    const api = await request(testApp().app).get(`/api/public/subjects/${subject.code}`).expect(200);
    assert.equal(api.body.data.subject.legacyPilot, true);
    const page = await request(testApp().app).get(`/public/query?q=${subject.code}`).expect(200);
    assert.match(page.text, /data-testid="legacy-pilot"/);
    const byName = await request(testApp().app)
      .get(`/api/public/subjects?name=${encodeURIComponent(subject.name)}`)
      .expect(200);
    assert.equal(byName.body.data[0].code, subject.code);
    assert.equal(byName.body.data[0].legacyPilot, true);
    assert.equal((await request(testApp().app).get("/api/public/subjects?name=%25")).status, 400);
  });

  it("limits queries per IP address with a Chinese 429", async () => {
    const { db, config: shared } = testApp();
    // The same configuration but the limit: createApp configures the process's audit settings from it.
    const config = { ...shared, publicQueryRatePerMinute: 3 };
    const app = createApp({ config, db, logger: createLogger("silent"), clock: new ManualClock() });
    const unknown = randomUscc();
    for (let i = 0; i < 3; i++) assert.equal((await request(app).get(`/api/public/subjects/${unknown}`)).status, 404);
    const limited = await request(app).get(`/api/public/subjects/${unknown}`);
    assert.equal(limited.status, 429);
    assert.match(limited.body.error.message, /查询过于频繁/);
    const page = await request(app).get(`/public/query?q=${unknown}`);
    assert.equal(page.status, 429);
    assert.match(page.text, /查询过于频繁/);
  });
});
