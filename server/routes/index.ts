import type { Express } from "express";
import type { AppContext } from "../context.js";
import { authRoutes } from "./auth.js";
import { homeRoutes } from "./home.js";

/** Mounts every resource's router; one line per file in routes/. */
export function mountRoutes(app: Express, ctx: AppContext): void {
  app.use(authRoutes(ctx));
  app.use(homeRoutes(ctx));
}
