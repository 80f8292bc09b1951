import type { loadPublicProfile } from "../domain/publicQuery.js";
import { presentPublicCommitment, presentPublicCreditRecord } from "./commitment.js";

/** What the public query shows of a subject, for the page and for GET /api/public/subjects/{uscc}. */
export function presentPublicProfile(profile: Awaited<ReturnType<typeof loadPublicProfile>>) {
  return {
    subject: { name: profile.subject.name, code: profile.subject.code, type: profile.subject.subjectType },
    commitments: profile.commitments.map(presentPublicCommitment),
    creditRecords: profile.records.map(presentPublicCreditRecord),
  };
}
