import { CreditDocument } from "./CreditDocument.js";
import { CreditImport } from "./CreditImport.js";
import { CreditRecordStatusChange } from "./CreditRecordStatusChange.js";
import { PublicityRule } from "./PublicityRule.js";
import { ScheduledJobRun } from "./ScheduledJobRun.js";

export { CreditDocument, CreditImport, CreditRecordStatusChange, PublicityRule, ScheduledJobRun };

/** Models of credit records (issue 13): status history, publicity rules, imports, daily job runs. */
export const CREDIT_MODELS = [CreditRecordStatusChange, PublicityRule, CreditImport, ScheduledJobRun, CreditDocument];
