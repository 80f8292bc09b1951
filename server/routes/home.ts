import { Router } from "express";
import { optionalUser } from "../auth/currentUser.js";
import type { AppContext } from "../context.js";
import { homeFor } from "../presenters/home.js";

/** The home page: what each role does first. */
export function homeRoutes(ctx: AppContext): Router {
  void ctx;
  const router = Router();
  router.get("/", (req, res) => {
    const user = optionalUser(req);
    res.render("home", { title: "首页", home: homeFor(user) });
  });
  return router;
}
