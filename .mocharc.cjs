// Unit, integration and API tests; the same suite runs on SQLite (default) and on MariaDB (DATABASE_URL=mysql://...).
module.exports = {
  "node-option": ["import=tsx"],
  require: ["test/helpers/rootHooks.ts"],
  spec: ["test/**/*.test.ts"],
  ignore: ["test/e2e/**"],
  timeout: 30000,
  exit: true,
};
