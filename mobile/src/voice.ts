/**
 * "Hold to talk" without React or a microphone: what is recorded, how the
 * recording is labelled, the voice service's `Ask` request built from it and
 * its answer read back.
 *
 * The voice service decodes what phones and browsers record (PyAV): AAC in
 * MP4 (`.m4a`, what expo-audio records on Android and iOS here), Opus in WebM
 * or Ogg (browsers' MediaRecorder), WAV and raw L16. Recording 16 kHz mono
 * keeps an utterance small (~4 KB/s of AAC) and is the rate the recogniser
 * works at anyway.
 */
import type { voice } from "@iworkz/sdk";

/** expo-audio's RecordingOptions (structurally: this module does not load the native module). */
export const RECORDING_OPTIONS = {
  extension: ".m4a",
  sampleRate: 16000,
  numberOfChannels: 1,
  bitRate: 32000,
  android: { outputFormat: "mpeg4", audioEncoder: "aac" },
  // IOSOutputFormat.MPEG4AAC is the four-character code "aac "; AudioQuality.HIGH is 0x60.
  ios: { outputFormat: "aac ", audioQuality: 0x60, linearPCMBitDepth: 16, linearPCMIsBigEndian: false, linearPCMIsFloat: false },
  // MediaRecorder: Chrome records Opus in WebM, Firefox Opus in Ogg, Safari AAC in MP4 (the browser picks).
  web: { mimeType: "audio/webm", bitsPerSecond: 64000 },
} as const;

/** Languages the voice service recognises; for the others it detects what was said. */
export const SPOKEN_LANGUAGES = ["en", "ja", "vi", "id", "tl", "ne"] as const;

export function spokenLanguage(appLanguage: string): string {
  return (SPOKEN_LANGUAGES as readonly string[]).includes(appLanguage) ? appLanguage : "";
}

const BY_EXTENSION: Record<string, string> = {
  m4a: "audio/mp4",
  mp4: "audio/mp4",
  aac: "audio/aac",
  "3gp": "audio/3gpp",
  wav: "audio/wav",
  webm: "audio/webm",
  ogg: "audio/ogg",
  caf: "audio/x-caf",
};

/**
 * The content type of a recording: the type the browser gave its Blob when
 * there is one (MediaRecorder knows what it wrote), else the file's extension.
 */
export function recordingContentType(uri: string, blobType = ""): string {
  if (blobType) return blobType;
  const path = uri.split(/[?#]/)[0];
  const extension = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  return BY_EXTENSION[extension] ?? "application/octet-stream";
}

/** Shorter than this, a press was a tap, not speech: nothing is sent. */
export const MIN_RECORDING_BYTES = 512;

export interface Recording {
  contentType: string;
  data: Uint8Array;
}

/** The `Ask` request for one utterance of the signed-in user. */
export function askRequest(userId: string, conversation: string, appLanguage: string, recording: Recording) {
  return {
    parent: `users/${userId}`,
    conversation,
    languageCode: spokenLanguage(appLanguage),
    audio: { contentType: recording.contentType, data: recording.data },
  };
}

export interface SpokenAnswer {
  /** What the service heard. */
  heard: string;
  reply: string;
  /** The agent waits for a spoken yes or no to this question. */
  confirm: string;
  conversation: string;
  /** The reply spoken, when the service sent it. */
  speech?: Recording;
  /** Its length in seconds (0 when unknown). */
  seconds: number;
}

export function readAnswer(answer: voice.AskResponse, conversation: string): SpokenAnswer {
  const speech = answer.audio && answer.audio.data.length > 0 ? { contentType: answer.audio.contentType || "audio/wav", data: answer.audio.data } : undefined;
  return {
    heard: answer.transcript?.text ?? "",
    reply: answer.replyText,
    confirm: answer.confirmation?.prompt ?? "",
    conversation: answer.conversation || conversation,
    speech,
    seconds: speech ? wavSeconds(speech.data) : 0,
  };
}

/** The length of a PCM WAV file in seconds, read from its `fmt ` and `data` chunks (0 if it is not one). */
export function wavSeconds(wav: Uint8Array): number {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  const tag = (at: number) => String.fromCharCode(...wav.subarray(at, at + 4));
  if (wav.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") return 0;
  let byteRate = 0;
  for (let at = 12; at + 8 <= wav.length; ) {
    const size = view.getUint32(at + 4, true);
    if (tag(at) === "fmt ") {
      if (at + 20 > wav.length) return 0;
      byteRate = view.getUint32(at + 16, true);
    }
    if (tag(at) === "data" && byteRate > 0) return Math.min(size, wav.length - at - 8) / byteRate;
    at += 8 + size + (size & 1);
  }
  return 0;
}
