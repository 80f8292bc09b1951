import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../../context.js";
import { chinaDay } from "../../domain/calendar/days.js";
import { loadPublicProfile, searchSubjectsByName } from "../../domain/publicQuery.js";
import { parse } from "../../http/parse.js";
import { presentPublicProfile } from "../../presenters/credit.js";
import { publicQueryLimiter } from "../publicQuery.js";

const NameQuery = z.object({ name: z.string({ error: "请提供 name 参数（主体名称，至少两个字）" }).max(200) });

/**
 * The public query (no login, rate limited per IP): a subject by USCC (natural persons are not searchable by ID number
 * here), with its commitments whose 公开类型 is 可向社会公开, its 信用修复型 commitments and its records 公示中 today. A
 * malformed code or a wrong check character is a 400 that says which; a well-formed code of an unknown subject is a 404.
 */
export function publicSubjectApiRoutes(ctx: AppContext): Router {
  const router = Router();
  const limit = publicQueryLimiter(ctx);

  router.get("/api/public/subjects", limit, async (req, res) => {
    const { name } = parse(NameQuery, req.query);
    res.json({ data: await searchSubjectsByName(name) });
  });

  router.get("/api/public/subjects/:code", limit, async (req, res) => {
    res.json({ data: presentPublicProfile(await loadPublicProfile(String(req.params.code), chinaDay(ctx.clock.now()))) });
  });

  return router;
}
