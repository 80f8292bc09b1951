import { Router } from "express";
import { currentUser } from "../auth/currentUser.js";
import type { AppContext } from "../context.js";
import { listClaims, subjectsOfUser } from "../domain/subjects/queries.js";
import { requireRole } from "../http/guards.js";
import { presentClaim, presentSubject } from "../presenters/subject.js";
import { takeFlash } from "./admin/forms.js";

/** The subjects an applicant acts for, and its claims waiting for an officer. */
export function mySubjectsRoutes(ctx: AppContext): Router {
  const router = Router();
  const { db } = ctx;
  router.get("/my/subjects", requireRole("applicant"), async (req, res) => {
    const user = currentUser(req);
    const [subjects, claims] = await Promise.all([subjectsOfUser(db, user.id), listClaims(db, { userId: user.id })]);
    res.render("my/subjects", {
      title: "我的主体",
      flash: takeFlash(req),
      subjects: subjects.map(presentSubject),
      claims: claims.filter((c) => c.status !== "approved").map(presentClaim),
    });
  });
  return router;
}
