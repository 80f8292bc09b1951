import assert from "node:assert/strict";
import request from "supertest";
import { buildSubject, buildUser, loginAs } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";

const app = () => testApp().app;

// Accounts in no candidate group (applicants, auditors, a reviewer not yet placed in a department) once made the
// task queries put a NUL placeholder into the SQL text, which SQLite cuts short: a 500 instead of an empty list.
describe("task queries for an account in no group", () => {
  it("answers an applicant's GET /engine-rest/task and /task/count with its own (no) tasks", async () => {
    const subject = await buildSubject();
    const applicant = await buildUser({ roles: ["applicant"], subjectIds: [subject.id] });
    const list = await request(app()).get("/engine-rest/task").auth(applicant.username, applicant.password).expect(200);
    assert.deepEqual(list.body, []);
    const count = await request(app()).get("/engine-rest/task/count").auth(applicant.username, applicant.password).expect(200);
    assert.deepEqual(count.body, { count: 0 });
  });

  it("shows a reviewer without a department the inbox page and API with an empty state", async () => {
    const reviewer = await buildUser({ roles: ["reviewer"], department: null });
    const agent = await loginAs(reviewer);
    const page = await agent.get("/tasks").set("Accept", "text/html").expect(200);
    assert.match(page.text, /待办/);
    const api = await agent.get("/api/inbox").expect(200);
    assert.equal(api.body.data.length, 0);
  });
});
