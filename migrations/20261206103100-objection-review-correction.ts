import { QueryTypes, type QueryInterface } from "sequelize";

// The 异议核查 form gains the 更正 outcome (issue 13: an upheld objection corrects or withdraws the record). Shipped forms
// are only seeded into an empty database, so a database that already has revision 1 of credit-objection-review gets
// revision 2 here, published (running tasks keep the revision they were pinned to). A fresh database is seeded from
// forms/credit-objection-review.json, which already has it.
const KEY = "credit-objection-review";
const AUTHOR = "migration:20261206103100";
const OUTCOMES = [
  { label: "异议成立（撤销记录）", value: "upheld" },
  { label: "异议成立（更正记录）", value: "corrected" },
  { label: "异议不成立", value: "refused" },
];
const CORRECTIONS = {
  type: "datagrid",
  key: "corrections",
  label: "更正内容",
  input: true,
  description: "逐项填写需要更正的字段和更正后的内容；更正后公示期按新的决定日期和严重程度重新计算，每项更正记入审计日志。",
  conditional: { show: true, when: "outcome", eq: "corrected" },
  addAnother: "添加一项",
  components: [
    {
      type: "select",
      key: "field",
      label: "字段",
      input: true,
      widget: "choicesjs",
      dataSrc: "values",
      data: {
        values: [
          { label: "严重程度", value: "severity" },
          { label: "行政相对人名称", value: "partyName" },
          { label: "法定代表人", value: "legalRep" },
          { label: "决定文书号", value: "decisionNumber" },
          { label: "违法行为类型", value: "violationType" },
          { label: "违法事实", value: "violationFacts" },
          { label: "列入事由", value: "listingReason" },
          { label: "依据", value: "basis" },
          { label: "处罚类别", value: "penaltyCategory" },
          { label: "处罚内容", value: "penaltyContent" },
          { label: "罚款金额（万元）", value: "fineAmount" },
          { label: "没收违法所得、没收非法财物的金额（万元）", value: "confiscatedAmount" },
          { label: "暂扣或吊销证照名称及编号", value: "licenceSuspended" },
          { label: "决定日期", value: "decidedOn" },
          { label: "决定机关", value: "authority" },
          { label: "数据来源单位", value: "sourceUnit" },
          { label: "备注", value: "remarks" },
        ],
      },
      validate: { required: true, onlyAvailableItems: true },
    },
    { type: "textfield", key: "value", label: "更正为", input: true, validate: { required: true, maxLength: 2000 } },
  ],
};

interface FormRow {
  id: number;
  latest_revision: number;
  published_revision: number | null;
}

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const db = qi.sequelize;
  const [form] = await db.query<FormRow>("SELECT id, latest_revision, published_revision FROM forms WHERE `key` = ?", {
    replacements: [KEY],
    type: QueryTypes.SELECT,
  });
  if (!form?.published_revision) return;
  const [published] = await db.query<{ title: string; definition: string }>(
    "SELECT title, definition FROM form_revisions WHERE form_id = ? AND revision = ?",
    { replacements: [form.id, form.published_revision], type: QueryTypes.SELECT },
  );
  if (!published || published.definition.includes('"corrected"')) return;
  const definition = JSON.parse(published.definition) as { components?: Array<Record<string, unknown>> };
  const components = definition.components ?? [];
  const at = components.findIndex((c) => c.key === "outcome");
  if (at < 0) return;
  components[at] = { ...components[at], values: OUTCOMES };
  components.splice(at + 1, 0, CORRECTIONS);
  const next = Number(form.latest_revision) + 1;
  const now = new Date();
  await db.query(
    "INSERT INTO form_revisions (form_id, revision, title, definition, created_by, created_at, published_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    { replacements: [form.id, next, published.title, JSON.stringify({ ...definition, components }), AUTHOR, now, now] },
  );
  await db.query("UPDATE forms SET latest_revision = ?, published_revision = ?, updated_at = ? WHERE id = ?", {
    replacements: [next, next, now, form.id],
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  const db = qi.sequelize;
  const [form] = await db.query<FormRow>("SELECT id, latest_revision, published_revision FROM forms WHERE `key` = ?", {
    replacements: [KEY],
    type: QueryTypes.SELECT,
  });
  if (!form) return;
  const [added] = await db.query<{ revision: number }>("SELECT revision FROM form_revisions WHERE form_id = ? AND created_by = ?", {
    replacements: [form.id, AUTHOR],
    type: QueryTypes.SELECT,
  });
  if (!added) return;
  await db.query("DELETE FROM form_revisions WHERE form_id = ? AND revision = ?", { replacements: [form.id, added.revision] });
  const [rest] = await db.query<{ latest: number; published: number | null }>(
    "SELECT MAX(revision) AS latest, MAX(CASE WHEN published_at IS NOT NULL THEN revision END) AS published FROM form_revisions WHERE form_id = ?",
    { replacements: [form.id], type: QueryTypes.SELECT },
  );
  await db.query("UPDATE forms SET latest_revision = ?, published_revision = ? WHERE id = ?", {
    replacements: [
      rest?.latest ?? 1,
      form.published_revision === added.revision ? (rest?.published ?? null) : form.published_revision,
      form.id,
    ],
  });
}
