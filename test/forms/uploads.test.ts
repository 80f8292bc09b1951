import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import request from "supertest";
import { UploadedFile } from "../../server/db/models/formModels.js";
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
});
