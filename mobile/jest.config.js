const path = require("path");

module.exports = {
  preset: "jest-expo",
  testEnvironment: "<rootDir>/test/environment.js",
  testMatch: ["<rootDir>/test/**/*.test.ts?(x)"],
  moduleNameMapper: { "^@iworkz/sdk$": path.resolve(__dirname, "../sdk/typescript/src/index.ts") },
  // The SDK's imports resolve from this app's node_modules, as in Metro.
  modulePaths: [path.resolve(__dirname, "node_modules")],
  setupFiles: ["<rootDir>/test/setup.js"],
  testTimeout: 60000,
  reporters: ["default", ["jest-junit", { outputDirectory: process.env.JUNIT_DIR || "test-results", outputName: "mobile-jest.xml" }]],
};
