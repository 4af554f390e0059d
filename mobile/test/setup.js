// Native modules with no JavaScript implementation under Node: the packages' own jest stand-ins.
jest.mock("@react-native-async-storage/async-storage", () => require("@react-native-async-storage/async-storage/jest/async-storage-mock"));
jest.mock("@react-native-community/netinfo", () => require("@react-native-community/netinfo/jest/netinfo-mock.js"));
// expo-audio: jest-expo's automatic stand-in for its native module has no recorder or player classes, so
// the package cannot even be imported under Node. There is no microphone here either: the tests give
// "hold to talk" a microphone and a speaker of their own (test/holdToTalk.test.tsx); the device's are
// exercised in a browser (e2e/voice.spec.ts). Anything that reaches for the device's audio fails loudly.
jest.mock("expo-audio", () => {
  const none = (name) => () => {
    throw new Error(`expo-audio ${name}: no audio device under Node`);
  };
  return Object.fromEntries(
    ["useAudioRecorder", "createAudioPlayer", "requestRecordingPermissionsAsync", "setAudioModeAsync"].map((name) => [name, none(name)]),
  );
});
