import React, { useState } from "react";
import { ScrollView, Text, View } from "react-native";
import { ConnectError } from "@iworkz/sdk";
import { useApp } from "../AppContext";
import { HoldToTalk } from "../components/HoldToTalk";
import { Button, Field, Note, Title, styles } from "../components/ui";
import { useDeviceMicrophone, useDeviceSpeaker, type Microphone, type Speaker } from "../microphone";
import type { SpokenAnswer } from "../voice";

interface Line {
  who: "me" | "assistant";
  text: string;
}

/** The microphone and speaker "hold to talk" uses: the device's, unless a test brings its own. */
export interface VoiceDevices {
  microphone: Microphone;
  speaker: Speaker;
  now?: () => number;
}

/**
 * The assistant chat: typed, the reply streams in as it is written (agent Chat, a server stream over
 * gRPC-web); spoken, with "hold to talk" (voice Ask over gRPC-web: what was heard, the reply, spoken).
 * Both continue the same agent conversation. A confirmation asked for in a spoken turn is answered by
 * voice, as the voice service expects ("Say yes or no").
 */
export function AssistantScreen(props: { voice?: VoiceDevices }) {
  const { api, t, userId, language } = useApp();
  const [lines, setLines] = useState<Line[]>([]);
  const [text, setText] = useState("");
  const [conversation, setConversation] = useState("");
  const [confirm, setConfirm] = useState("");
  const [spokenConfirm, setSpokenConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  async function send(message: string) {
    if (!message.trim()) return;
    setBusy(true);
    setError("");
    setConfirm("");
    setSpokenConfirm(false);
    setText("");
    setLines((l) => [...l, { who: "me", text: message }, { who: "assistant", text: "" }]);
    const append = (chunk: string) =>
      setLines((l) => [...l.slice(0, -1), { who: "assistant", text: l[l.length - 1].text + chunk }]);
    try {
      const replyLanguage = ["en", "ja", "vi", "id"].includes(language) ? language : "";
      for await (const r of api.agent.chat({ parent: `users/${userId}`, conversation, text: message, languageCode: replyLanguage })) {
        if (r.event.case === "started") setConversation(r.event.value.conversation);
        else if (r.event.case === "text") append(r.event.value);
        else if (r.event.case === "confirmation") setConfirm(r.event.value.prompt);
      }
    } catch (e) {
      setError(ConnectError.from(e).rawMessage);
    } finally {
      setBusy(false);
    }
  }

  function spoken(answer: SpokenAnswer) {
    setError("");
    setConversation(answer.conversation);
    setConfirm(answer.confirm);
    setSpokenConfirm(!!answer.confirm);
    setLines((l) => [...l, { who: "me", text: answer.heard }, { who: "assistant", text: answer.reply }]);
  }

  const talk = { api, userId, language, conversation, onAnswer: spoken, t };
  return (
    <ScrollView contentContainerStyle={{ padding: 16 }}>
      <Title>{t("assistant.title")}</Title>
      {lines.map((l, i) => (
        <View key={i} testID={l.who === "me" ? "chat-me" : "chat-assistant"} style={[styles.card, l.who === "me" && { backgroundColor: "#eef3ff" }]}>
          <Text style={{ fontSize: 16 }}>{l.text}</Text>
        </View>
      ))}
      {confirm ? (
        <View>
          <Note testID="confirmation">{confirm}</Note>
          {spokenConfirm ? (
            <Note testID="say-yes-or-no">{t("voice.sayYesNo")}</Note>
          ) : (
            <Button label={t("assistant.confirm")} onPress={() => send(language === "ja" ? "はい" : language === "id" ? "ya" : language === "vi" ? "vâng" : "yes")} />
          )}
        </View>
      ) : null}
      {error ? <Note tone="bad">{t("common.error", { message: error })}</Note> : null}
      {props.voice ? <HoldToTalk {...talk} {...props.voice} /> : <DeviceHoldToTalk {...talk} />}
      <Field label={t("assistant.placeholder")} value={text} onChangeText={setText} onSubmitEditing={() => send(text)} />
      <Button label={t("assistant.send")} onPress={() => send(text)} disabled={busy} />
    </ScrollView>
  );
}

function DeviceHoldToTalk(props: Omit<React.ComponentProps<typeof HoldToTalk>, "microphone" | "speaker">) {
  const microphone = useDeviceMicrophone();
  const speaker = useDeviceSpeaker();
  return <HoldToTalk {...props} microphone={microphone} speaker={speaker} />;
}
