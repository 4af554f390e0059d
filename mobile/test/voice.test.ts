import { create, voice } from "@iworkz/sdk";
import { askRequest, readAnswer, recordingContentType, spokenLanguage, wavSeconds } from "../src/voice";
import { toneWav } from "./audio";

describe("voice", () => {
  it("labels a recording by what the browser says it is, else by the file's extension", () => {
    expect(recordingContentType("blob:http://127.0.0.1:8081/5f0c", "audio/webm;codecs=opus")).toBe("audio/webm;codecs=opus");
    expect(recordingContentType("file:///data/user/0/jp.iworkz.mobile/cache/Audio/recording-1.m4a")).toBe("audio/mp4");
    expect(recordingContentType("file:///var/mobile/tmp/recording.WAV?x=1")).toBe("audio/wav");
    expect(recordingContentType("file:///cache/recording.3gp")).toBe("audio/3gpp");
    expect(recordingContentType("file:///cache/recording")).toBe("application/octet-stream");
  });

  it("asks in the app's language when the voice service knows it, else lets it detect the language", () => {
    const recording = { contentType: "audio/mp4", data: new Uint8Array([1, 2, 3]) };
    const ja = askRequest("u1", "", "ja", recording);
    expect(ja).toEqual({ parent: "users/u1", conversation: "", languageCode: "ja", audio: recording });
    expect(askRequest("u1", "users/u1/conversations/c1", "tl", recording)).toMatchObject({
      languageCode: "tl",
      conversation: "users/u1/conversations/c1",
    });
    expect(["ja", "en", "vi", "id", "tl", "ne", "my"].map(spokenLanguage)).toEqual(["ja", "en", "vi", "id", "tl", "ne", ""]);
  });

  it("reads the length of a WAV file from its chunks, skipping the ones before the data", () => {
    expect(wavSeconds(toneWav(1500, 22050))).toBeCloseTo(1.5, 3);
    const wav = toneWav(1000, 16000);
    // A LIST chunk between fmt and data, as some writers put there.
    const list = new Uint8Array([0x4c, 0x49, 0x53, 0x54, 4, 0, 0, 0, 0x49, 0x4e, 0x46, 0x4f]);
    const withList = new Uint8Array([...wav.subarray(0, 36), ...list, ...wav.subarray(36)]);
    expect(wavSeconds(withList)).toBeCloseTo(1.0, 3);
    expect(wavSeconds(new TextEncoder().encode("not a wav file at all"))).toBe(0);
    expect(wavSeconds(wav.subarray(0, 20))).toBe(0);
  });

  it("reads an answer: heard, reply, the confirmation waited for, the conversation, the speech", () => {
    const speech = toneWav(2000, 22050);
    const answer = create(voice.AskResponseSchema, {
      transcript: { text: "apply to the first one" },
      replyText: "Apply to Naniwa Metal Works, welding operator?",
      audio: { contentType: "audio/wav", data: speech },
      conversation: "users/u1/conversations/c2",
      confirmation: { prompt: "Apply to Naniwa Metal Works, welding operator? Say yes or no." },
    });
    expect(readAnswer(answer, "users/u1/conversations/c1")).toEqual({
      heard: "apply to the first one",
      reply: "Apply to Naniwa Metal Works, welding operator?",
      confirm: "Apply to Naniwa Metal Works, welding operator? Say yes or no.",
      conversation: "users/u1/conversations/c2",
      speech: { contentType: "audio/wav", data: speech },
      seconds: 2,
    });
    const silent = readAnswer(create(voice.AskResponseSchema, { replyText: "…" }), "users/u1/conversations/c1");
    expect([silent.conversation, silent.speech, silent.seconds, silent.confirm]).toEqual(["users/u1/conversations/c1", undefined, 0, ""]);
  });
});
