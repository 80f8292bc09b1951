import { Op, type Transaction } from "sequelize";
import { EngineDefinition } from "../../db/models/engineModels.js";
import { Form } from "../../db/models/Form.js";
import { FormRevision } from "../../db/models/FormRevision.js";
import type { FormBinding } from "../../engine/index.js";

/**
 * The form revision a new user task is pinned to, as Camunda 7 binds camunda:formRef: `latest` the form's published
 * revision now, `version` the revision named (when published), `deployment` the revision that was published when the
 * process version was deployed (forms are not deployed with the BPMN here). Null when there is none to pin.
 */
export async function pinFormRevision(binding: FormBinding, t: Transaction): Promise<number | null> {
  const form = await Form.findOne({ where: { key: binding.key }, attributes: ["id", "publishedRevision"], transaction: t });
  if (!form) return null;
  if (binding.binding === "latest") return form.publishedRevision;
  if (binding.binding === "version") {
    if (binding.version === null) return null;
    const revision = await FormRevision.findOne({
      where: { formId: form.id, revision: binding.version, publishedAt: { [Op.ne]: null } },
      attributes: ["revision"],
      transaction: t,
    });
    return revision?.revision ?? null;
  }
  const definition = await EngineDefinition.findByPk(binding.definitionId, { attributes: ["deployedAt"], transaction: t });
  if (!definition) return form.publishedRevision;
  const revision = await FormRevision.findOne({
    where: { formId: form.id, publishedAt: { [Op.ne]: null, [Op.lte]: definition.deployedAt } },
    order: [["revision", "DESC"]],
    attributes: ["revision"],
    transaction: t,
  });
  return revision?.revision ?? null;
}
