import { CalendarDay } from "./CalendarDay.js";
import { CatalogItem } from "./CatalogItem.js";
import { CatalogItemVersion } from "./CatalogItemVersion.js";
import { Commitment } from "./Commitment.js";
import { CommitmentSubmission } from "./CommitmentSubmission.js";
import { CreditRecord } from "./CreditRecord.js";
import { RuleSetting } from "./RuleSetting.js";

export { CalendarDay, CatalogItem, CatalogItemVersion, Commitment, CommitmentSubmission, CreditRecord, RuleSetting };

/** Models of the commitment domain (issue 5): calendar and rules, catalog, commitments, credit records. */
export const COMMITMENT_MODELS = [
  CalendarDay,
  RuleSetting,
  CatalogItem,
  CatalogItemVersion,
  Commitment,
  CommitmentSubmission,
  CreditRecord,
];
