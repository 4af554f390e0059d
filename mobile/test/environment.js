// React Native's test environment, plus Node's own fetch as `__nodeFetch`: the preset replaces
// `fetch` with React Native's, which has no network under Node; the screen tests make real calls.
const ReactNativeEnv = require("@react-native/jest-preset/jest/react-native-env.js");

module.exports = class extends ReactNativeEnv {
  constructor(config, context) {
    super(config, context);
    this.global.__nodeFetch = fetch;
  }
};
