import React, { useState } from "react";
import { Platform, ScrollView, View } from "react-native";
import * as DocumentPicker from "expo-document-picker";
import * as ImagePicker from "expo-image-picker";
import { ConnectError, agent, fromJson, marketplace } from "@iworkz/sdk";
import { useApp } from "../AppContext";
import { Button, Chip, Note, Title } from "../components/ui";
import { LANGUAGES, LANGUAGE_NAMES } from "../i18n";
import { maskPath, suggestions, type Suggestion } from "../resume";

/** Language, the onboarding steps again, the résumé reader, log out. */
export function ProfileScreen(props: { onEdit: () => void; onLogout: () => void }) {
  const { api, t, language, setLanguage, userId, profile, setProfile } = useApp();
  const [pending, setPending] = useState<Suggestion[]>([]);
  const [status, setStatus] = useState("");

  // ParseResume is a client stream, which gRPC-web cannot carry: its REST binding takes the file as the body.
  async function parse(uri: string, type: string) {
    setStatus(t("resume.reading"));
    try {
      const body = await (await fetch(uri)).blob();
      const response = await fetch(`${api.baseUrl}/v1/workers/${userId}/resume:parse`, {
        method: "POST",
        headers: { authorization: `Bearer ${await api.accessToken()}`, "content-type": type },
        body,
      });
      const json = await response.json();
      if (!response.ok) throw new Error(json.message ?? response.statusText);
      const parsed = fromJson(agent.ParseResumeResponseSchema, json, { ignoreUnknownFields: true });
      setPending(suggestions(parsed.draft));
      setStatus("");
    } catch (e) {
      setStatus(t("common.error", { message: e instanceof Error ? e.message : String(e) }));
    }
  }

  async function pickFile() {
    const picked = await DocumentPicker.getDocumentAsync({
      type: ["application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "text/plain"],
    });
    if (!picked.canceled) await parse(picked.assets[0].uri, picked.assets[0].mimeType ?? "application/pdf");
  }

  async function takePhoto() {
    const shot =
      Platform.OS === "web"
        ? await ImagePicker.launchImageLibraryAsync({ mediaTypes: ["images"] })
        : await ImagePicker.launchCameraAsync({ mediaTypes: ["images"] });
    if (!shot.canceled) await parse(shot.assets[0].uri, shot.assets[0].mimeType ?? "image/jpeg");
  }

  async function accept(s: Suggestion) {
    const current = profile ?? ({ name: `workers/${userId}` } as marketplace.WorkerProfile);
    try {
      const saved = await api.marketplace.updateWorkerProfile({
        profile: s.apply(current),
        updateMask: { paths: [maskPath(s.field)] },
      });
      setProfile(saved.profile);
      setPending((list) => list.filter((x) => x.id !== s.id));
    } catch (e) {
      setStatus(t("common.error", { message: ConnectError.from(e).rawMessage }));
    }
  }

  return (
    <ScrollView contentContainerStyle={{ padding: 16 }}>
      <Title>{t("profile.language")}</Title>
      <View style={{ flexDirection: "row", flexWrap: "wrap" }}>
        {LANGUAGES.map((l) => (
          <Chip key={l} label={LANGUAGE_NAMES[l]} selected={language === l} onPress={() => setLanguage(l)} />
        ))}
      </View>
      <Button kind="plain" label={t("onb.title")} onPress={props.onEdit} />
      <Title>{t("resume.title")}</Title>
      <Button label={t("resume.file")} onPress={pickFile} />
      <Button kind="plain" label={t("resume.photo")} onPress={takePhoto} />
      {status ? <Note>{status}</Note> : null}
      {pending.length === 0 && status === "" ? <Note>{t("resume.none")}</Note> : null}
      {pending.map((s) => (
        <View key={s.id} style={{ borderBottomWidth: 1, borderColor: "#ddd", paddingVertical: 6 }}>
          <Note>{s.label}</Note>
          <View style={{ flexDirection: "row", gap: 8 }}>
            <Button label={`${t("resume.accept")}: ${s.label}`} onPress={() => accept(s)} />
            <Button kind="plain" label={`${t("resume.skip")}: ${s.label}`} onPress={() => setPending((l) => l.filter((x) => x.id !== s.id))} />
          </View>
        </View>
      ))}
      <Button kind="plain" label={t("auth.logout")} onPress={props.onLogout} />
    </ScrollView>
  );
}
