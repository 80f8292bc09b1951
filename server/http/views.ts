import path from "node:path";
import type { Express } from "express";
import { create } from "express-handlebars";
import { ROOT_DIR } from "../paths.js";
import { helpers } from "../presenters/helpers.js";

/** Handlebars views from templates/: layouts/, partials/, pages and documents. */
export function configureViews(app: Express): void {
  const templates = path.join(ROOT_DIR, "templates");
  const hbs = create({
    extname: ".hbs",
    defaultLayout: "main",
    layoutsDir: path.join(templates, "layouts"),
    partialsDir: path.join(templates, "partials"),
    helpers,
  });
  app.engine(".hbs", hbs.engine);
  app.set("view engine", ".hbs");
  app.set("views", templates);
  if (process.env.NODE_ENV === "production") app.enable("view cache");
}
