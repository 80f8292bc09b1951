import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import request from "supertest";
import { randomBytes } from "node:crypto";
import { AuditEntry } from "../../server/db/models/AuditEntry.js";
import { FormDraft, SubmissionRevision, UploadedFile } from "../../server/db/models/formModels.js";
import { blobPath } from "../../server/forms/uploads.js";
import { buildUser, loginAs } from "../helpers/factories.js";
import { testApp } from "../helpers/testApp.js";

export const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");
export const PDF = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");

describe("uploads: /api/uploads", () => {
  it("stores a PDF by content hash outside public/ and lets only its uploader and admins download it", async () => {
    const owner = await buildUser();
    const agent = await loginAs(owner);
    const res = await agent.post("/api/uploads").set("X-CSRF-Token", agent.csrf).attach("file", PDF, "营业执照.pdf").expect(201);
    const { id, url, type } = res.body.data;
    assert.equal(type, "application/pdf");
    assert.match(url, new RegExp(`/api/uploads/${id}$`));
    const row = await UploadedFile.findByPk(id);
    assert.ok(row);
    assert.equal(row.ownerUserId, owner.id);
    assert.equal(row.originalName, "营业执照.pdf");
    const file = blobPath(testApp().config.uploadDir, row.sha256);
    assert.ok(existsSync(file) && !file.includes("/public/"));
    const download = await agent.get(`/api/uploads/${id}`).expect(200);
    assert.equal(download.headers["content-type"], "application/pdf");
    assert.deepEqual(Buffer.from(download.body as Buffer), PDF);

    const stranger = await loginAs(await buildUser());
    const denied = await stranger.get(`/api/uploads/${id}`).expect(404);
    assert.equal(denied.body.error.code, "not_found");
    await (await loginAs(await buildUser({ roles: ["admin"] }))).get(`/api/uploads/${id}`).expect(200);
    await request(testApp().app).get(`/api/uploads/${id}`).expect(401);
  });

  it("refuses a file whose content does not match its extension, and types other than pdf, jpg, png", async () => {
    const agent = await loginAs(await buildUser());
    const before = await UploadedFile.count();
    const mismatch = await agent.post("/api/uploads").set("X-CSRF-Token", agent.csrf).attach("file", PNG, "licence.pdf").expect(400);
    assert.match(mismatch.body.error.details[0].message, /PNG/);
    const script = await agent
      .post("/api/uploads")
      .set("X-CSRF-Token", agent.csrf)
      .attach("file", Buffer.from("<script>alert(1)</script>"), "x.png")
      .expect(400);
    assert.match(script.body.error.details[0].message, /PDF、JPG 或 PNG/);
    await agent.post("/api/uploads").set("X-CSRF-Token", agent.csrf).attach("file", PNG, "photo.png").expect(201);
    assert.equal(await UploadedFile.count(), before + 1);
  });

  it("refuses a file over the size limit with 413 and an upload without the CSRF token", async () => {
    const agent = await loginAs(await buildUser());
    const limit = testApp().config.uploadLimitBytes;
    const huge = Buffer.concat([PDF, Buffer.alloc(limit + 1)]);
    const res = await agent.post("/api/uploads").set("X-CSRF-Token", agent.csrf).attach("file", huge, "big.pdf");
    assert.equal(res.status, 413);
    await agent.post("/api/uploads").attach("file", PDF, "a.pdf").expect(403);
  });

  /** A PDF of its own content (the blob is not shared with other tests' uploads). */
  const uniquePdf = () => Buffer.concat([PDF, Buffer.from(`%${randomBytes(8).toString("hex")}\n`)]);

  it("removing an upload takes it out of the uploader's drafts and deletes it when no submission references it", async () => {
    const owner = await buildUser();
    const agent = await loginAs(owner);
    const { id, url } = (
      await agent.post("/api/uploads").set("X-CSRF-Token", agent.csrf).attach("file", uniquePdf(), "执照.pdf").expect(201)
    ).body.data as { id: string; url: string };
    const other = (await agent.post("/api/uploads").set("X-CSRF-Token", agent.csrf).attach("file", uniquePdf(), "其他.pdf").expect(201))
      .body.data as { id: string; url: string };
    const draft = await FormDraft.create({
      userId: owner.id,
      formKey: "food-business-commitment",
      clientRef: `t-${randomBytes(4).toString("hex")}`,
      formRevision: 1,
      data: JSON.stringify({
        businessLicense: [
          { name: "执照.pdf", url },
          { name: "其他.pdf", url: other.url },
        ],
        premises: "x",
      }),
    });
    const sha = (await UploadedFile.findByPk(id))!.sha256;

    // Someone else cannot remove it (and cannot tell it exists).
    const stranger = await loginAs(await buildUser());
    await stranger.delete(`/api/uploads/${id}`).set("X-CSRF-Token", stranger.csrf).expect(404);
    await agent.delete(`/api/uploads/${id}`).expect(403);

    await agent.delete(`/api/uploads/${id}`).set("X-CSRF-Token", agent.csrf).expect(204);
    await draft.reload();
    assert.deepEqual(JSON.parse(draft.data), { businessLicense: [{ name: "其他.pdf", url: other.url }], premises: "x" });
    assert.equal(await UploadedFile.findByPk(id), null);
    assert.equal(existsSync(blobPath(testApp().config.uploadDir, sha)), false);
    const audited = await AuditEntry.findOne({ where: { action: "file.removed", entityId: id } });
    assert.equal(audited?.actor, owner.username);
    assert.deepEqual(JSON.parse(audited.detail ?? "{}"), { kept: false, drafts: 1 });
    await agent.get(`/api/uploads/${id}`).expect(404);
    await agent.delete(`/api/uploads/${id}`).set("X-CSRF-Token", agent.csrf).expect(404);
  });

  it("a removed upload that a stored submission references keeps its row and bytes, and its readers keep reading it", async () => {
    const owner = await buildUser();
    const agent = await loginAs(owner);
    const { id, url } = (
      await agent.post("/api/uploads").set("X-CSRF-Token", agent.csrf).attach("file", uniquePdf(), "证明.pdf").expect(201)
    ).body.data as { id: string; url: string };
    await SubmissionRevision.create({
      submissionType: "case",
      submissionId: `t-${randomBytes(6).toString("hex")}`,
      version: 1,
      formKey: "credit-repair-application",
      formRevision: 1,
      data: JSON.stringify({ proof: [{ name: "证明.pdf", url }] }),
      createdBy: owner.username,
    });
    await agent.delete(`/api/uploads/${id}`).set("X-CSRF-Token", agent.csrf).expect(204);
    const row = await UploadedFile.findByPk(id);
    assert.ok(row, "the referenced upload is kept");
    const audited = await AuditEntry.findOne({ where: { action: "file.removed", entityId: id } });
    assert.deepEqual(JSON.parse(audited?.detail ?? "{}"), { kept: true, drafts: 0 });
    assert.ok(existsSync(blobPath(testApp().config.uploadDir, row.sha256)));
    await agent.get(`/api/uploads/${id}`).expect(200);
  });

  it("removing one of two uploads of the same content keeps the shared bytes for the other", async () => {
    const agent = await loginAs(await buildUser());
    const bytes = uniquePdf();
    const first = (await agent.post("/api/uploads").set("X-CSRF-Token", agent.csrf).attach("file", bytes, "a.pdf").expect(201)).body
      .data as {
      id: string;
    };
    const second = (await agent.post("/api/uploads").set("X-CSRF-Token", agent.csrf).attach("file", bytes, "b.pdf").expect(201)).body
      .data as {
      id: string;
    };
    await agent.delete(`/api/uploads/${first.id}`).set("X-CSRF-Token", agent.csrf).expect(204);
    const download = await agent.get(`/api/uploads/${second.id}`).expect(200);
    assert.deepEqual(Buffer.from(download.body as Buffer), bytes);
  });
});
