import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "data/**", "dist/**", "test-artifacts/**", "public/**", "*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["eslint.config.js"] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false } }],
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/only-throw-error": "error",
    },
  },
  {
    files: ["server/**/*.ts"],
    ignores: ["server/engine/**", "server/forms/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "bpmn-engine", message: "Only server/engine may import bpmn-engine." },
            { name: "bpmn-elements", message: "Only server/engine may import bpmn-elements." },
            { name: "@formio/core", message: "Only server/forms may import @formio/core." },
          ],
        },
      ],
    },
  },
  {
    files: ["server/engine/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "@formio/core", message: "Only server/forms may import @formio/core." }] }],
    },
  },
  {
    files: ["server/forms/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "bpmn-engine", message: "Only server/engine may import bpmn-engine." },
            { name: "bpmn-elements", message: "Only server/engine may import bpmn-elements." },
          ],
        },
      ],
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-expressions": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
