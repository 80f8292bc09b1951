import { buildTestApp, closeTestApp } from "./testApp.js";
import { removeTempDatabases } from "./testDatabase.js";

/** One migrated database and one app for the whole run; tests build their own rows with factories. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    await buildTestApp();
  },
  async afterAll() {
    await closeTestApp();
    removeTempDatabases();
  },
};
