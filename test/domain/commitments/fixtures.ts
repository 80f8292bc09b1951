import { randomBytes } from "node:crypto";
import type { CurrentUser } from "../../../server/auth/currentUser.js";
import { loadCurrentUser } from "../../../server/auth/loadUser.js";
import { createCatalogItem, publishCatalogItem } from "../../../server/domain/catalog/catalogCommands.js";
import type { CatalogItemInput } from "../../../server/domain/catalog/itemInput.js";
import { submitCommitment } from "../../../server/domain/commitments/submitCommitment.js";
import { publishFormRevision, saveFormRevision, seedShippedForms } from "../../../server/forms/index.js";
import { buildSubject, buildUser } from "../../helpers/factories.js";
import { testApp } from "../../helpers/testApp.js";

const uniq = () => randomBytes(4).toString("hex");

/** A small applicant form a department designs in the builder: two required text fields and a number. */
export function testFormDefinition() {
  return {
    display: "form",
    components: [
      { type: "textfield", key: "premises", label: "经营场所", input: true, validate: { required: true, maxLength: 200 } },
      { type: "textfield", key: "principal", label: "负责人", input: true, validate: { required: true, maxLength: 50 } },
      { type: "number", key: "area", label: "经营面积（平方米）", input: true, validate: { min: 1, max: 100000 } },
    ],
  };
}

/** Makes sure the review and verification forms (and the other shipped forms) exist, as boot does. */
export async function ensureShippedForms(): Promise<void> {
  await seedShippedForms(testApp().db);
}

/** Creates and publishes a fresh applicant form; returns its key. */
export async function buildPublishedForm(): Promise<string> {
  const { db } = testApp();
  const formKey = `test-commit-${uniq()}`;
  const saved = await saveFormRevision(db, { formKey, title: `测试承诺申请表${formKey}`, definition: testFormDefinition(), actor: "test" });
  await publishFormRevision(db, formKey, saved.revision, "test");
  return formKey;
}

/** The fields of a catalog item over a form (the shape POST /api/catalog takes besides itemCode and departmentCode). */
export function itemFields(formKey: string, overrides: Partial<CatalogItemInput> = {}): CatalogItemInput {
  return {
    name: `测试告知承诺事项${uniq()}`,
    legalBasis: "《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》（国办发〔2020〕42号）",
    commitmentType: "审批替代型",
    commitmentTypeOther: null,
    noticeContent: "申请人应具备与经营项目相适应的场所和设备；承诺不实的，依法撤销许可并记入信用记录。",
    letterTemplate:
      "<p>{{subject.name}}（{{subject.code}}）承诺：经营场所{{data.premises}}，负责人{{data.principal}}，所报材料真实有效。</p><p>如违反承诺，愿意承担违诺责任，接受失信惩戒。</p>",
    formKey,
    processKey: "commitment",
    verificationMethod: "现场核查",
    verificationDays: 30,
    publicType: "可向社会公开",
    validityMonths: 12,
    reviewDays: 5,
    ...overrides,
  };
}

export function randomItemCode(): string {
  return `test-item-${uniq()}`;
}

/** The request-time CurrentUser of an account (what routes pass to commands). */
export async function currentUserOf(id: number): Promise<CurrentUser> {
  const user = await loadCurrentUser(testApp().db.sequelize, { id });
  if (!user) throw new Error(`no user ${id}`);
  return user;
}

export const GOOD_DATA = { premises: "荥阳市索河路1号", principal: "张三", area: 120 };
export const SIGNATURE = { name: "张三", agreed: true as const };

/** Publishes a fresh item of a department (by an admin) and returns its code. */
export async function buildPublishedItem(departmentCode = "scjgj", overrides: Partial<CatalogItemInput> = {}): Promise<string> {
  const ctx = testApp().app.locals.context;
  const deps = { db: ctx.db, engine: ctx.engine, clock: ctx.clock };
  const admin = await currentUserOf((await buildUser({ roles: ["admin"], department: "fgw" })).id);
  const formKey = await buildPublishedForm();
  const itemCode = randomItemCode();
  await createCatalogItem(deps, { actor: admin, itemCode, departmentCode, fields: itemFields(formKey, overrides) });
  await publishCatalogItem(deps, { actor: admin, itemCode });
  return itemCode;
}

/** A submitted case of a fresh subject: the subject, its applicant account and the 承诺编码. */
export async function buildSubmittedCase(itemCode: string) {
  const ctx = testApp().app.locals.context;
  const subject = await buildSubject();
  const applicantAccount = await buildUser({ roles: ["applicant"], subjectIds: [subject.id] });
  const applicant = await currentUserOf(applicantAccount.id);
  const { commitment } = await submitCommitment(
    { db: ctx.db, engine: ctx.engine, clock: ctx.clock },
    { actor: applicant, itemCode, subjectCode: subject.code, data: GOOD_DATA, signature: SIGNATURE },
  );
  return { subject, applicantAccount, applicant, code: commitment.code };
}
