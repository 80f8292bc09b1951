// server/forms: form definitions with revisions, server-side validation, drafts, submission versions, uploads.
// The only place in the server that imports @formio/core (through ./core.ts).
export {
  checkDefinition,
  eachInput,
  type CheckedDefinition,
  type FormComponent,
  type FormDefinition,
  type FormProblem,
} from "./definition.js";
export { embeddedForms } from "./nested.js";
export {
  assertAcceptableDefinition,
  exportForm,
  findForm,
  wasPublished,
  FORM_KEY_PATTERN,
  getFormRevision,
  listForms,
  listRevisions,
  publishFormRevision,
  saveFormRevision,
  seedShippedForms,
  type FormRevisionView,
  type FormSummary,
} from "./store.js";
export { assertSafeSubmission, validateSubmission, type ValidateOptions, type Validated } from "./validate.js";
export { deleteDraft, listDrafts, loadDraft, saveDraft, type DraftView } from "./drafts.js";
export {
  diffSubmissions,
  listSubmissionVersions,
  recordSubmissionVersion,
  type Change,
  type SubmissionVersion,
} from "./submissionRevisions.js";
export { bindSubjectFields, bindSubjectFieldsOf, subjectBoundFields, SUBJECT_FIELD_KEYS, type SubjectValues } from "./subjectFields.js";
