import { parseModdle } from "./bpmn.js";

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call */

/** A start event or user task of a process naming a form (camunda:formKey, or Camunda 7's camunda:formRef). */
export interface FormReference {
  /** The process the element belongs to (a definition's key is its executable process's id). */
  processId: string;
  elementId: string;
  elementName: string | null;
  elementType: "bpmn:StartEvent" | "bpmn:UserTask";
  attribute: "formKey" | "formRef";
  /** The form key as written; an expression (`${...}`) is kept as written and names no form by itself. */
  formKey: string;
  /** camunda:formRefBinding (latest, deployment, version); null for camunda:formKey. */
  binding: string | null;
  /** camunda:formRefVersion for the version binding. */
  version: number | null;
}

const FORM_ELEMENTS = new Set(["bpmn:StartEvent", "bpmn:UserTask"]);

function collect(container: any, processId: string, out: FormReference[], depth = 0): void {
  // Sub-processes nest flow elements; BPMN files from modelers stay far below this depth.
  if (depth > 64) return;
  for (const el of (container?.flowElements ?? []) as any[]) {
    if (FORM_ELEMENTS.has(el.$type)) {
      const attribute = el.formKey ? "formKey" : el.formRef ? "formRef" : null;
      const formKey: unknown = attribute ? el[attribute] : null;
      if (attribute && typeof formKey === "string" && formKey.trim()) {
        const version = String(el.formRefVersion ?? "").trim();
        out.push({
          processId,
          elementId: String(el.id),
          elementName: typeof el.name === "string" && el.name.trim() ? el.name.trim() : null,
          elementType: el.$type,
          attribute,
          formKey: formKey.trim(),
          binding: attribute === "formRef" ? String(el.formRefBinding ?? "latest") : null,
          version: attribute === "formRef" && /^\d+$/.test(version) ? Number(version) : null,
        });
      }
    }
    if (Array.isArray(el.flowElements)) collect(el, processId, out, depth + 1);
  }
}

/**
 * The forms a BPMN file's start events and user tasks name, read with the engine's own parser, so that the
 * platform can tell which deployed processes use a form without importing the BPMN libraries itself.
 */
export async function formReferencesOf(xml: string): Promise<FormReference[]> {
  const { rootElement } = await parseModdle(xml);
  const out: FormReference[] = [];
  for (const root of (rootElement?.rootElements ?? []) as any[]) {
    if (root.$type === "bpmn:Process") collect(root, String(root.id), out);
  }
  return out;
}
