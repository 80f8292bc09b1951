import type { Transaction } from "sequelize";
import { ConflictError } from "../../errors.js";
import { findBarringRecords } from "../credit/creditRecords.js";

/** Where a barred subject is sent: the credit-repair application (issue 6 builds the pages). */
export const CREDIT_REPAIR_PATH = "/repair";

/**
 * Refuses the 告知承诺 route to a subject with a public serious dishonesty record or an unrepaired
 * commitment breach (409, in Chinese, saying which record and pointing to 信用修复). Runs inside the
 * submit transaction so a breach recorded a moment earlier is seen.
 */
export async function assertMayUseCommitmentRoute(subject: { id: number; name: string }, t: Transaction): Promise<void> {
  const records = await findBarringRecords(subject.id, t);
  if (!records.length) return;
  const first = records[0]!;
  const why =
    first.recordType === "违诺"
      ? `存在未修复的违诺记录（${first.title}）`
      : first.recordType === "严重失信主体名单"
        ? `已被列入严重失信主体名单（${first.title}）`
        : `存在正在公示的严重失信记录（${first.title}）`;
  throw new ConflictError(
    `“${subject.name}”${why}，暂不能适用告知承诺制，请按一般程序提交完整材料办理；完成信用修复后可重新适用告知承诺。信用修复申请：${CREDIT_REPAIR_PATH}`,
    "commitment_route_barred",
    records.map((r) => ({ path: `creditRecords.${r.id}`, message: `${r.recordType}：${r.title}` })),
  );
}
