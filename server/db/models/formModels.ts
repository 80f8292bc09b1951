import { Form } from "./Form.js";
import { FormDraft } from "./FormDraft.js";
import { FormRevision } from "./FormRevision.js";
import { SubmissionRevision } from "./SubmissionRevision.js";
import { SubmissionUniqueValue } from "./SubmissionUniqueValue.js";
import { UploadedFile } from "./UploadedFile.js";

export { Form, FormDraft, FormRevision, SubmissionRevision, SubmissionUniqueValue, UploadedFile };

/** The models of server/forms (forms, revisions, drafts, submission versions, unique values, uploads). */
export const FORM_MODELS = [Form, FormDraft, FormRevision, SubmissionRevision, SubmissionUniqueValue, UploadedFile] as const;
