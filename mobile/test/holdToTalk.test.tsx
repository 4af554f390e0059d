/**
 * "Hold to talk" on the assistant screen, with a microphone that plays back a
 * WAV file and a voice service in memory (Connect's router transport: the
 * requests go through the SDK and protobuf serialisation as over the network).
 * The stand-in service answers each utterance from a script the test writes;
 * the real voice service is exercised end to end in e2e/voice.spec.ts.
 */
import React from "react";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react-native";
import { createRouterTransport, ConnectError, Code } from "@connectrpc/connect";
import { IworkzClient, MemoryTokenStore, create, voice } from "@iworkz/sdk";
import { AppProvider } from "../src/AppContext";
import type { Language } from "../src/i18n";
import type { Microphone, Speaker } from "../src/microphone";
import { AssistantScreen } from "../src/screens/Assistant";
import type { Recording } from "../src/voice";
import { toneWav } from "./audio";
import { MemoryKeyValue } from "./memory";

const USER = "11111111-1111-1111-1111-111111111111";
const CONVERSATION = `users/${USER}/conversations/22222222-2222-2222-2222-222222222222`;

type Answer = Partial<voice.AskResponse> | ConnectError;

/** A voice service that answers from `script`, one entry per utterance, and keeps what it was sent. */
function voiceService(script: Answer[]) {
  const received: voice.AskRequest[] = [];
  const transport = createRouterTransport((router) =>
    router.service(voice.VoiceService, {
      ask(request) {
        received.push(request);
        const next = script.shift();
        if (!next) throw new ConnectError("no answer scripted", Code.Internal);
        if (next instanceof ConnectError) throw next;
        return create(voice.AskResponseSchema, next);
      },
    }),
  );
  const api = new IworkzClient({ baseUrl: "http://127.0.0.1:9", tokenStore: new MemoryTokenStore(), transport });
  return { api, received };
}

/** A microphone whose recording is the given bytes; it can also be refused. */
class TestMicrophone implements Microphone {
  recording: boolean = false;
  starts = 0;
  constructor(
    private readonly take: Recording,
    private readonly allowed = true,
  ) {}
  async start() {
    this.starts += 1;
    this.recording = this.allowed;
    return this.allowed;
  }
  async stop() {
    this.recording = false;
    return this.take;
  }
}

class TestSpeaker implements Speaker {
  played: Recording[] = [];
  async play(speech: Recording) {
    this.played.push(speech);
  }
}

function setup(language: Language, script: Answer[], microphone = new TestMicrophone({ contentType: "audio/mp4", data: new Uint8Array([0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70, 1, 2, 3]) })) {
  const service = voiceService(script);
  const speaker = new TestSpeaker();
  const clock = { ms: 1_000_000 };
  const view = render(
    <AppProvider api={service.api} storage={new MemoryKeyValue()} language={language} userId={USER}>
      <AssistantScreen voice={{ microphone, speaker, now: () => clock.ms }} />
    </AppProvider>,
  );
  return { ...service, speaker, microphone, clock, view };
}

async function hold(name: string, clock: { ms: number }, ms: number) {
  const button = screen.getByRole("button", { name });
  await act(async () => fireEvent(button, "pressIn"));
  clock.ms += ms;
  await act(async () => fireEvent(button, "pressOut"));
}

describe("hold to talk", () => {
  it("records while held, sends the recording to Ask, shows what was heard and the reply, and plays it", async () => {
    const reply = toneWav(1500, 22050);
    const { received, speaker, microphone, clock } = setup("ja", [
      {
        transcript: { text: "大阪で溶接の仕事" },
        replyText: "大阪の溶接の仕事が3件あります。",
        audio: { contentType: "audio/wav", data: reply },
        conversation: CONVERSATION,
      },
    ]);
    const button = screen.getByRole("button", { name: "押して話す" });
    expect(button.props.accessibilityHint).toMatch(/押し続け/);
    await act(async () => fireEvent(button, "pressIn"));
    expect(microphone.recording).toBe(true);
    expect(screen.getByText("聞いています…離すと送信")).toBeTruthy();
    clock.ms += 2000;
    await act(async () => fireEvent(button, "pressOut"));

    await waitFor(() => expect(screen.getByText("大阪の溶接の仕事が3件あります。")).toBeTruthy());
    expect(screen.getByText("大阪で溶接の仕事")).toBeTruthy();
    expect(microphone.recording).toBe(false);
    expect(received).toHaveLength(1);
    expect(received[0].parent).toBe(`users/${USER}`);
    expect(received[0].conversation).toBe("");
    expect(received[0].languageCode).toBe("ja");
    expect(received[0].audio?.contentType).toBe("audio/mp4");
    expect([...received[0].audio!.data]).toEqual([0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70, 1, 2, 3]);
    expect(speaker.played.map((s) => [s.contentType, s.data.length])).toEqual([["audio/wav", reply.length]]);
    // The reply can be heard again; its length is read from the WAV.
    await act(async () => fireEvent.press(screen.getByRole("button", { name: "返事をもう一度聞く（1.5 秒）" })));
    expect(speaker.played).toHaveLength(2);
    expect(screen.getByText("押して話す")).toBeTruthy();
  });

  it("asks for a spoken yes or no when the agent wants a confirmation, in the same conversation", async () => {
    const { received, clock } = setup("en", [
      { transcript: { text: "Apply to the first one" }, replyText: "Apply to Naniwa Metal Works, welding operator?", conversation: CONVERSATION, confirmation: { prompt: "Apply to Naniwa Metal Works, welding operator?" } },
      { transcript: { text: "yes" }, replyText: "Done: you applied to Naniwa Metal Works.", conversation: CONVERSATION },
    ]);
    await hold("Hold to talk", clock, 1500);
    await waitFor(() => expect(screen.getByTestId("say-yes-or-no")).toBeTruthy());
    expect(screen.getByText("Say yes or no (hold to talk)")).toBeTruthy();
    expect(screen.getByTestId("confirmation").props.children).toBe("Apply to Naniwa Metal Works, welding operator?");
    // The answer is spoken: no typed shortcut past the voice service's confirmation gate.
    expect(screen.queryByRole("button", { name: "Yes, do it" })).toBeNull();

    await hold("Hold to talk", clock, 800);
    await waitFor(() => expect(screen.getByText("Done: you applied to Naniwa Metal Works.")).toBeTruthy());
    expect(received.map((r) => r.conversation)).toEqual(["", CONVERSATION]);
    expect(screen.queryByTestId("say-yes-or-no")).toBeNull();
    expect(screen.getAllByTestId("chat-me")).toHaveLength(2);
    expect(screen.getByText("Apply to the first one")).toBeTruthy();
    expect(screen.getByText("yes")).toBeTruthy();
  });

  it("a tap starts recording and the next tap sends it (screen readers, a finger lifted during the permission prompt)", async () => {
    const { received, microphone, clock } = setup("vi", [{ transcript: { text: "có" }, replyText: "Vâng.", conversation: CONVERSATION }]);
    await hold("Giữ để nói", clock, 120);
    expect(microphone.recording).toBe(true);
    expect(screen.getByText("Đang nghe… chạm để gửi")).toBeTruthy();
    expect(received).toHaveLength(0);
    await act(async () => fireEvent(screen.getByRole("button", { name: "Giữ để nói" }), "pressIn"));
    await waitFor(() => expect(screen.getByText("Vâng.")).toBeTruthy());
    expect(received).toHaveLength(1);
    expect(microphone.starts).toBe(1);
  });

  it("says so when the microphone is refused, and shows the service's error", async () => {
    const refused = setup("id", [], new TestMicrophone({ contentType: "audio/mp4", data: new Uint8Array([1]) }, false));
    await hold("Tahan untuk bicara", refused.clock, 1000);
    expect(screen.getByTestId("voice-problem").props.children).toBe("Mikrofon tidak tersedia: izinkan di pengaturan");
    expect(refused.received).toHaveLength(0);
    refused.view.unmount();

    const { clock, received } = setup("tl", [new ConnectError("audio: cannot decode the recording", Code.InvalidArgument)]);
    await hold("Pindutin para magsalita", clock, 1000);
    await waitFor(() => expect(screen.getByTestId("voice-problem")).toBeTruthy());
    expect(screen.getByTestId("voice-problem").props.children).toMatch(/audio: cannot decode the recording/);
    expect(received[0].languageCode).toBe("tl"); // Tagalog: the voice service hears oo/hindi in it
  });

  it("nothing recorded is not sent", async () => {
    const { received, clock } = setup("ne", [], new TestMicrophone({ contentType: "audio/mp4", data: new Uint8Array() }));
    await hold("थिचेर बोल्नुहोस्", clock, 1000);
    expect(screen.getByTestId("voice-problem").props.children).toBe("केही रेकर्ड भएन");
    expect(received).toHaveLength(0);
  });
});
