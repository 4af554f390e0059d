/**
 * "Hold to talk": the microphone records while the button is held (finger,
 * mouse, or Enter/Space on a keyboard, which react-native-web turns into a
 * press), then the recording goes to the voice service's `Ask` over gRPC-web
 * through the app's client. The answer (what was heard, the reply, a
 * confirmation the agent waits for) goes to `onAnswer`; the spoken reply is
 * played and can be played again.
 *
 * A press shorter than TAP_MS is a tap: recording goes on until the next tap.
 * That is how a screen reader's double tap, or a finger that let go while the
 * permission prompt was up, still gets to speak.
 */
import React, { useRef, useState } from "react";
import { Pressable, Text, View } from "react-native";
import { ConnectError, type IworkzClient } from "@iworkz/sdk";
import type { Key } from "../i18n";
import type { Microphone, Speaker } from "../microphone";
import { askRequest, readAnswer, type Recording, type SpokenAnswer } from "../voice";
import { Button, Note, colors, styles } from "./ui";

export const TAP_MS = 400;

export type TalkState = "idle" | "starting" | "listening" | "latched" | "sending";

export interface HoldToTalkOptions {
  api: IworkzClient;
  userId: string;
  /** The app's language: the language spoken, when the voice service knows it. */
  language: string;
  /** The agent conversation to continue ("" starts one). */
  conversation: string;
  microphone: Microphone;
  speaker: Speaker;
  onAnswer: (answer: SpokenAnswer) => void;
  /** Milliseconds now (tests pass their own clock). */
  now?: () => number;
}

export type Problem = { key: Key } | { message: string } | null;

export function useHoldToTalk(options: HoldToTalkOptions) {
  const latest = useRef(options);
  latest.current = options;
  const [state, setStateValue] = useState<TalkState>("idle");
  const stateRef = useRef<TalkState>("idle");
  const setState = (s: TalkState) => {
    stateRef.current = s;
    setStateValue(s);
  };
  const [problem, setProblem] = useState<Problem>(null);
  const [reply, setReply] = useState<{ speech: Recording; seconds: number } | null>(null);
  const held = useRef(false);
  const since = useRef(0);
  const now = () => (latest.current.now ?? Date.now)();

  async function send() {
    const o = latest.current;
    setState("sending");
    try {
      const recording = await o.microphone.stop();
      if (recording.data.length === 0) {
        setProblem({ key: "voice.nothing" });
        return;
      }
      const response = await o.api.voice.ask(askRequest(o.userId, o.conversation, o.language, recording));
      const answer = readAnswer(response, o.conversation);
      o.onAnswer(answer);
      if (answer.speech) {
        setReply({ speech: answer.speech, seconds: answer.seconds });
        await o.speaker.play(answer.speech).catch(() => undefined); // the text is shown either way
      }
    } catch (e) {
      setProblem({ message: ConnectError.from(e).rawMessage });
    } finally {
      setState("idle");
    }
  }

  async function pressIn() {
    if (stateRef.current === "latched") return send();
    if (stateRef.current !== "idle") return;
    held.current = true;
    setProblem(null);
    setState("starting");
    let started = false;
    try {
      started = await latest.current.microphone.start();
    } catch {
      started = false;
    }
    if (!started) {
      setState("idle");
      setProblem({ key: "voice.noMicrophone" });
      return;
    }
    since.current = now();
    setState(held.current ? "listening" : "latched"); // let go while starting: a tap
  }

  async function pressOut() {
    held.current = false;
    if (stateRef.current !== "listening") return;
    if (now() - since.current < TAP_MS) setState("latched");
    else await send();
  }

  const replay = () => reply && void latest.current.speaker.play(reply.speech).catch(() => undefined);
  return { state, problem, reply, pressIn, pressOut, replay };
}

const LABEL: Record<TalkState, Key> = {
  idle: "voice.hold",
  starting: "voice.listening",
  listening: "voice.listening",
  latched: "voice.latched",
  sending: "voice.sending",
};

export function HoldToTalk(props: HoldToTalkOptions & { t: (key: Key, values?: Record<string, string | number>) => string }) {
  const { t } = props;
  const talk = useHoldToTalk(props);
  const active = talk.state === "listening" || talk.state === "latched" || talk.state === "starting";
  return (
    <View>
      <Pressable
        accessibilityRole="button"
        accessibilityLabel={t("voice.hold")}
        accessibilityHint={t("voice.hint")}
        accessibilityState={{ busy: talk.state === "sending", disabled: talk.state === "sending", selected: active }}
        disabled={talk.state === "sending"}
        onPressIn={() => void talk.pressIn()}
        onPressOut={() => void talk.pressOut()}
        testID="hold-to-talk"
        style={[styles.button, { backgroundColor: active ? colors.bad : colors.ok, minHeight: 64 }, talk.state === "sending" && { opacity: 0.6 }]}
      >
        <Text style={[styles.buttonText, { color: "#fff" }]}>{t(LABEL[talk.state])}</Text>
      </Pressable>
      {talk.problem ? (
        <Note tone="bad" testID="voice-problem">
          {"key" in talk.problem ? t(talk.problem.key) : t("common.error", { message: talk.problem.message })}
        </Note>
      ) : null}
      {talk.reply ? (
        <Button
          kind="plain"
          label={t("voice.replay", { seconds: talk.reply.seconds.toFixed(1) })}
          onPress={talk.replay}
          testID="voice-replay"
        />
      ) : null}
    </View>
  );
}
