import type { AppContext } from "../../context.js";
import type { Case } from "../../db/models/Case.js";
import { Department } from "../../db/models/Department.js";
import { listCaseForms } from "../../domain/cases/caseForms.js";
import { copiesOf } from "../../domain/cases/copyCase.js";
import { caseHistoryTimeline, displayNames } from "../../domain/cases/queries.js";
import { remindersOf } from "../../domain/tasks/urgeTask.js";
import { actionTimeline } from "../../domain/actions/timeline.js";
import { findDefinitionVersion, waitingElements } from "../../domain/processes/queries.js";
import { hasDiagramInformation } from "../../domain/processes/diagram.js";
import { documentsOfCase } from "../../domain/reports/documents.js";
import { NotFoundError } from "../../errors.js";
import { eachInput, getFormRevision } from "../../forms/index.js";
import type { TaskView } from "../../engine/index.js";
import { presentFormForRenderer } from "../../presenters/form.js";
import { caseBadge } from "../../presenters/portal.js";
import { activityStatus } from "../../presenters/process.js";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * What the case page and the task page show of any case: the header, every form filled on it (read-only, each with
 * the revision it was filled in), the timeline from its history, and where to read its diagram.
 */
export async function presentCaseBody(ctx: AppContext, kase: Case, urls: { form: (version: number) => string; diagram: string }) {
  const [forms, history, department, reminders, copies, documents] = await Promise.all([
    listCaseForms(ctx.db, kase.instanceId),
    ctx.engine.history(kase.instanceId),
    kase.departmentId ? Department.findByPk(kase.departmentId) : Promise.resolve(null),
    remindersOf({ instanceId: kase.instanceId }),
    copiesOf(kase.instanceId),
    documentsOfCase(kase.businessKey),
  ]);
  const names = await displayNames(forms.map((f) => f.by));
  const timeline = [
    ...(await caseHistoryTimeline(history)),
    ...reminders.map((r) => ({ at: r.createdAt, title: "催办", actor: r.sentBy, detail: r.message })),
    ...copies.map((c) => ({ at: c.createdAt, title: `抄送 ${c.toValue}（${c.step ?? ""}）`, actor: c.sentBy, detail: c.note })),
    ...(await actionTimeline(kase.instanceId, forms)),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());
  return {
    header: {
      code: kase.businessKey ?? kase.instanceId,
      title: kase.title,
      status: kase.status,
      badge: caseBadge(kase.status),
      waitingAt: kase.waitingAt,
      subject: kase.subjectCode ? { code: kase.subjectCode, name: kase.subjectName ?? kase.subjectCode } : null,
      department: department?.name ?? null,
      startedAt: iso(kase.startedAt),
      endedAt: iso(kase.endedAt),
      endReason: kase.endReason,
      dueAt: iso(kase.dueAt),
    },
    forms: forms
      .slice()
      .reverse()
      .map((f) => ({
        step: f.step,
        by: f.by,
        byName: names.get(f.by) ?? f.by,
        at: f.at.toISOString(),
        version: f.version,
        formKey: f.formKey,
        formRevision: f.formRevision,
        renderer: { formUrl: urls.form(f.version), submission: JSON.stringify(f.data), readOnly: true },
      })),
    timeline: timeline.map((e) => ({ ...e, at: e.at.toISOString() })),
    diagramUrl: urls.diagram,
    documents: documents.map((d) => ({ number: d.number, title: d.title, issuedOn: d.issuedOn })),
  };
}

/**
 * A task form filled in again (补正 and the like) starts from the case's current data: the process variables its
 * top-level fields name, nothing else (the completion refuses fields the form does not have).
 */
export async function prefillTaskForm(ctx: AppContext, task: TaskView): Promise<Record<string, unknown>> {
  if (!task.formKey) return {};
  const [form, instance] = await Promise.all([
    getFormRevision(ctx.db, task.formKey, task.formRevision ?? undefined),
    ctx.engine.getInstance(task.processInstanceId),
  ]);
  const keys = new Set<string>();
  eachInput(form.definition.components ?? [], (_c, path) => keys.add(path.split(/[.[]/)[0]!));
  const variables = instance?.variables ?? {};
  return Object.fromEntries([...keys].filter((k) => k in variables).map((k) => [k, variables[k]]));
}

/** The form revision one of the case's filled forms was filled in, for the read-only renderer. */
export async function caseFormJson(ctx: AppContext, kase: Case, version: number) {
  const form = (await listCaseForms(ctx.db, kase.instanceId)).find((f) => f.version === version);
  if (!form) throw new NotFoundError("找不到该材料");
  return { data: presentFormForRenderer(await getFormRevision(ctx.db, form.formKey, form.formRevision)) };
}

/** The case's process diagram with its done, current and failed steps (the viewer's JSON). */
export async function caseDiagramJson(ctx: AppContext, kase: Case) {
  const [definition, history, incidents, waiting] = await Promise.all([
    findDefinitionVersion(ctx.db, kase.definitionId),
    ctx.engine.history(kase.instanceId),
    ctx.engine.findIncidents({ processInstanceId: kase.instanceId, open: true }),
    waitingElements(kase.instanceId),
  ]);
  if (!definition) throw new NotFoundError("找不到该办件的流程图");
  return { xml: definition.xml, hasDiagram: hasDiagramInformation(definition.xml), ...activityStatus(history, waiting, incidents) };
}
