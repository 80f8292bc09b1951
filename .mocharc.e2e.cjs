// Browser tests: Debian's Chromium driven by playwright-core against a server on a free port.
module.exports = {
  "node-option": ["import=tsx"],

  timeout: 120000,
  exit: true,
};
