import assert from "node:assert/strict";
import { Commitment } from "../../../server/db/models/Commitment.js";
import { buildSubject, buildUser, loginAs, type Agent } from "../../helpers/factories.js";
import { buildPublishedItem, ensureShippedForms, GOOD_DATA } from "../../domain/commitments/fixtures.js";

const json = (agent: Agent, url: string, body: unknown) =>
  agent
    .post(url)
    .set("Accept", "application/json")
    .set("X-CSRF-Token", agent.csrf)
    .send(body as object);
const form = (agent: Agent, url: string, body: Record<string, string>) =>
  agent
    .post(url)
    .type("form")
    .send({ _csrf: agent.csrf, ...body });

describe("applicant portal: after a submit, the same application is never submitted twice", () => {
  let itemCode: string;
  before(async () => {
    await ensureShippedForms();
    itemCode = await buildPublishedItem("scjgj");
  });

  async function signedIn() {
    const subject = await buildSubject();
    const applicant = await loginAs(await buildUser({ roles: ["applicant"], subjectIds: [subject.id] }));
    const urls = {
      apply: `/catalog/${itemCode}/apply?subject=${subject.code}`,
      check: `/catalog/${itemCode}/apply/check?subject=${subject.code}`,
      preview: `/catalog/${itemCode}/apply/preview?subject=${subject.code}`,
      submit: `/catalog/${itemCode}/apply/submit`,
    };
    return { subject, applicant, urls };
  }

  it("a second POST of the signed letter answers with the notice of the first, and makes no second commitment", async () => {
    const { subject, applicant, urls } = await signedIn();
    await json(applicant, urls.check, { data: GOOD_DATA }).expect(200);
    const first = await form(applicant, urls.submit, { subject: subject.code, signerName: "李四", agreed: "on" }).expect(303);
    const code = /^\/my\/cases\/(\d{20})\/submitted$/.exec(first.headers.location!)![1]!;
    const second = await form(applicant, urls.submit, { subject: subject.code, signerName: "李四", agreed: "on" }).expect(303);
    assert.equal(second.headers.location, urls.preview);
    assert.equal(await Commitment.count({ where: { subjectId: subject.id } }), 1);
    const notice = await applicant.get(second.headers.location).expect(200);
    assert.ok(
      notice.text.includes(`该申请已提交，承诺编码 <span class="font-monospace text-break" data-testid="submitted-code">${code}</span>`),
    );
    assert.ok(notice.text.includes(`href="/my/cases/${code}"`));
    assert.doesNotMatch(notice.text, /data-testid="sign-form"/);
    assert.equal(notice.headers["cache-control"], "no-store");
  });

  it("two submits at once (a double click) make one commitment", async () => {
    const { subject, applicant, urls } = await signedIn();
    await json(applicant, urls.check, { data: GOOD_DATA }).expect(200);
    const body = { subject: subject.code, signerName: "李四", agreed: "on" };
    const answers = await Promise.all([form(applicant, urls.submit, body), form(applicant, urls.submit, body)]);
    assert.deepEqual(
      answers.map((a) => a.status),
      [303, 303],
    );
    assert.equal(await Commitment.count({ where: { subjectId: subject.id } }), 1);
    assert.equal(answers.filter((a) => /\/submitted$/.test(a.headers.location!)).length, 1);
  });

  it("the form page after a submit shows the notice; a form page from before it leads to the notice, not a new letter", async () => {
    const { subject, applicant, urls } = await signedIn();
    await json(applicant, urls.check, { data: GOOD_DATA }).expect(200);
    const done = await form(applicant, urls.submit, { subject: subject.code, signerName: "李四", agreed: "on" }).expect(303);
    const code = /(\d{20})/.exec(done.headers.location!)![1]!;
    const apply = await applicant.get(urls.apply).expect(200);
    assert.match(apply.text, /data-testid="already-submitted"/);
    assert.ok(apply.text.includes(code));
    assert.doesNotMatch(apply.text, /data-form-renderer/);
    assert.equal(apply.headers["cache-control"], "no-store");
    // The form kept by the browser from before the submit posts without the latest 承诺编码: no new draft, the notice.
    const stale = await json(applicant, urls.check, { data: GOOD_DATA }).expect(200);
    assert.equal(stale.body.redirect, urls.preview);
    assert.match((await applicant.get(urls.preview).expect(200)).text, /该申请已提交/);
    await form(applicant, urls.submit, { subject: subject.code, signerName: "李四", agreed: "on" }).expect(303);
    assert.equal(await Commitment.count({ where: { subjectId: subject.id } }), 1);
  });

  it("a new application on purpose (重新填写一份新的申请) goes through and makes a second commitment", async () => {
    const { subject, applicant, urls } = await signedIn();
    await json(applicant, urls.check, { data: GOOD_DATA }).expect(200);
    const done = await form(applicant, urls.submit, { subject: subject.code, signerName: "李四", agreed: "on" }).expect(303);
    const code = /(\d{20})/.exec(done.headers.location!)![1]!;
    const again = await applicant.get(`${urls.apply}&again=1`).expect(200);
    assert.match(again.text, /data-form-renderer/);
    assert.ok(again.text.includes(`apply/check?subject&#x3D;${subject.code}&amp;since&#x3D;${code}`));
    await json(applicant, `${urls.check}&since=${code}`, { data: GOOD_DATA }).expect(200);
    const preview = await applicant.get(urls.preview).expect(200);
    assert.ok(preview.text.includes(`name="since" value="${code}"`));
    const next = await form(applicant, urls.submit, { subject: subject.code, signerName: "李四", agreed: "on", since: code }).expect(303);
    assert.match(next.headers.location!, /\/submitted$/);
    assert.ok(!next.headers.location!.includes(code));
    assert.equal(await Commitment.count({ where: { subjectId: subject.id } }), 2);
  });
});
