// Unit, integration and API tests; the same suite runs on SQLite (default) and on MariaDB (DATABASE_URL=mysql://...).
module.exports = {
  "node-option": ["import=tsx"],
  require: ["test/helpers/rootHooks.ts"],
  timeout: 30000,
  exit: true,
};
