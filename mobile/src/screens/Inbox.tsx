import React, { useEffect, useState } from "react";
import { ScrollView, Text, View } from "react-native";
import { ConnectError, notifications } from "@iworkz/sdk";
import { useApp } from "../AppContext";
import { Button, Note, Title, styles } from "../components/ui";
import { isOffline } from "../outbox";

/** Notifications: the stored ones, with new ones arriving live on top. */
export function InboxScreen() {
  const { api, t, userId, live } = useApp();
  const [stored, setStored] = useState<notifications.Notification[]>([]);
  const [error, setError] = useState("");

  useEffect(() => {
    api.notifications
      .listNotifications({ parent: `users/${userId}`, pageSize: 50 })
      .then((r) => setStored(r.notifications))
      .catch((e) => (isOffline(e) ? undefined : setError(ConnectError.from(e).rawMessage)));
  }, [api, userId]);

  const seen = new Set(live.map((n) => n.name));
  const all = [...live, ...stored.filter((n) => !seen.has(n.name))];

  async function markRead() {
    await api.notifications.markNotificationsRead({ parent: `users/${userId}`, names: all.map((n) => n.name) }).catch(() => undefined);
    setStored(all.map((n) => ({ ...n, read: true })));
  }

  return (
    <ScrollView contentContainerStyle={{ padding: 16 }}>
      <Title>{t("inbox.title")}</Title>
      {error ? <Note tone="bad">{t("common.error", { message: error })}</Note> : null}
      {all.length === 0 ? <Note>{t("inbox.none")}</Note> : <Button kind="plain" label={t("inbox.markRead")} onPress={markRead} />}
      {all.map((n) => (
        <View key={n.name} style={[styles.card, !n.read && { borderColor: "#0b5fff" }]} testID="notification">
          <Text style={{ fontSize: 17, fontWeight: n.read ? "400" : "700" }}>{n.title}</Text>
          <Text style={{ fontSize: 15 }}>{n.body}</Text>
        </View>
      ))}
    </ScrollView>
  );
}
