import React, { useState } from "react";
import { ScrollView, Text, View } from "react-native";
import { ConnectError } from "@iworkz/sdk";
import { useApp } from "../AppContext";
import { Button, Field, Note, Title, styles } from "../components/ui";

interface Line {
  who: "me" | "assistant";
  text: string;
}

/** The assistant chat: the reply streams in as it is written (agent Chat, a server stream over gRPC-web). */
export function AssistantScreen() {
  const { api, t, userId, language } = useApp();
  const [lines, setLines] = useState<Line[]>([]);
  const [text, setText] = useState("");
  const [conversation, setConversation] = useState("");
  const [confirm, setConfirm] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  async function send(message: string) {
    if (!message.trim()) return;
    setBusy(true);
    setError("");
    setConfirm("");
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

  return (
    <ScrollView contentContainerStyle={{ padding: 16 }}>
      <Title>{t("assistant.title")}</Title>
      {lines.map((l, i) => (
        <View key={i} style={[styles.card, l.who === "me" && { backgroundColor: "#eef3ff" }]}>
          <Text style={{ fontSize: 16 }}>{l.text}</Text>
        </View>
      ))}
      {confirm ? (
        <View>
          <Note>{confirm}</Note>
          <Button label={t("assistant.confirm")} onPress={() => send(language === "ja" ? "はい" : language === "id" ? "ya" : language === "vi" ? "vâng" : "yes")} />
        </View>
      ) : null}
      {error ? <Note tone="bad">{t("common.error", { message: error })}</Note> : null}
      <Field label={t("assistant.placeholder")} value={text} onChangeText={setText} onSubmitEditing={() => send(text)} />
      <Button label={t("assistant.send")} onPress={() => send(text)} disabled={busy} />
    </ScrollView>
  );
}
