/**
 * The device's microphone and speaker for "hold to talk", with expo-audio.
 *
 * A phone records AAC in MP4 (`.m4a`, 16 kHz mono; RECORDING_OPTIONS) to a
 * file, read back with expo-file-system; a browser records with
 * MediaRecorder (Chrome: Opus in WebM) to a Blob. The spoken reply (WAV) is
 * played from a file in the cache directory on a phone (iOS cannot play a
 * `data:` URI) and from a Blob URL in a browser.
 */
import { useMemo, useRef } from "react";
import { Platform } from "react-native";
import {
  createAudioPlayer,
  requestRecordingPermissionsAsync,
  setAudioModeAsync,
  useAudioRecorder,
  type AudioPlayer,
  type RecordingOptions,
} from "expo-audio";
import { RECORDING_OPTIONS, recordingContentType, type Recording } from "./voice";

export interface Microphone {
  /** Asks for the microphone (once) and starts recording; false when the user refused it. */
  start(): Promise<boolean>;
  /** Stops and returns what was recorded. */
  stop(): Promise<Recording>;
}

export interface Speaker {
  play(speech: Recording): Promise<void>;
}

export function useDeviceMicrophone(): Microphone {
  const recorder = useAudioRecorder(RECORDING_OPTIONS as unknown as RecordingOptions);
  return useMemo(
    () => ({
      async start() {
        const permission = await requestRecordingPermissionsAsync();
        if (!permission.granted) return false;
        await setAudioModeAsync({ allowsRecording: true, playsInSilentMode: true });
        await recorder.prepareToRecordAsync();
        recorder.record();
        return true;
      },
      async stop() {
        await recorder.stop();
        // iOS plays through the earpiece while the session may record: back to the speaker.
        await setAudioModeAsync({ allowsRecording: false, playsInSilentMode: true });
        const uri = recorder.uri;
        if (!uri) return { contentType: "", data: new Uint8Array() };
        return readRecording(uri);
      },
    }),
    [recorder],
  );
}

async function readRecording(uri: string): Promise<Recording> {
  if (Platform.OS === "web") {
    const blob = await (await fetch(uri)).blob();
    URL.revokeObjectURL(uri);
    return { contentType: recordingContentType(uri, blob.type), data: new Uint8Array(await blob.arrayBuffer()) };
  }
  const { File } = await import("expo-file-system");
  const file = new File(uri);
  const data = await file.bytes();
  file.delete();
  return { contentType: recordingContentType(uri), data };
}

export function useDeviceSpeaker(): Speaker {
  // The reply playing now and how to let go of it (its player, and its Blob URL or cache file).
  const current = useRef<{ player: AudioPlayer; release: () => void } | null>(null);
  return useMemo(
    () => ({
      async play(speech: Recording) {
        if (current.current) {
          current.current.player.remove();
          current.current.release();
          current.current = null;
        }
        let uri: string;
        let release: () => void;
        if (Platform.OS === "web") {
          uri = URL.createObjectURL(new Blob([speech.data as BlobPart], { type: speech.contentType }));
          release = () => URL.revokeObjectURL(uri);
        } else {
          const { File, Paths } = await import("expo-file-system");
          const file = new File(Paths.cache, `iworkz-reply-${Date.now()}.wav`);
          file.write(speech.data);
          uri = file.uri;
          release = () => file.delete();
        }
        const player = createAudioPlayer({ uri });
        current.current = { player, release };
        player.play();
      },
    }),
    [],
  );
}
