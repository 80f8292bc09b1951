import type { CaseForm } from "../cases/caseForms.js";
import { displayNames, type CaseTimelineEntry } from "../cases/queries.js";
import { TaskSigner } from "../../db/models/actionModels.js";
import { opinionOf } from "./opinions.js";

const MODE = { before: "前加签", after: "后加签" } as const;

/** The reviewer actions' lines on a case timeline: each decision's opinion, 加签 / 减签 and the signers' decisions. */
export async function actionTimeline(instanceId: string, forms: CaseForm[]): Promise<CaseTimelineEntry[]> {
  const signers = await TaskSigner.findAll({ where: { instanceId }, order: [["id", "ASC"]] });
  const names = await displayNames([...signers.flatMap((s) => [s.signer, s.addedBy, s.decidedBy]), ...forms.map((f) => f.by)]);
  const who = (u: string | null) => (u ? (names.get(u) ?? u) : null);
  const out: CaseTimelineEntry[] = [];
  for (const f of forms) {
    const opinion = f.step && f.step !== "申请" ? opinionOf(f.data) : null;
    if (opinion) out.push({ at: f.at, title: `“${f.step}”办理意见`, actor: who(f.by), detail: opinion });
  }
  for (const s of signers) {
    out.push({
      at: s.createdAt,
      title: `${MODE[s.mode]}：请 ${who(s.signer)} 审批“${s.step ?? ""}”`,
      actor: who(s.addedBy),
      detail: s.note,
    });
    if (!s.decidedAt) continue;
    if (s.state === "removed")
      out.push({ at: s.decidedAt, title: `减签：${who(s.signer)}（“${s.step ?? ""}”）`, actor: who(s.decidedBy), detail: null });
    else
      out.push({
        at: s.decidedAt,
        title: `加签审批“${s.step ?? ""}”：${s.state === "approved" ? "同意" : "不同意"}`,
        actor: who(s.signer),
        detail: s.opinion,
      });
  }
  return out;
}
