import React, { useCallback, useEffect, useState } from "react";
import { ScrollView, Text, View } from "react-native";
import { ConnectError, marketplace } from "@iworkz/sdk";
import { useApp } from "../AppContext";
import { Button, Note, Title, styles } from "../components/ui";
import { isOffline, type QueuedApplication } from "../outbox";
import { loadMessages, saveMessages } from "../storage";
import type { Key } from "../i18n";

const CACHE = "iworkz.applications";

/** My applications: sent ones (status changes arrive live), and those still waiting in the outbox. */
export function ApplicationsScreen() {
  const { api, t, userId, live, outbox, storage } = useApp();
  const [apps, setApps] = useState<marketplace.Application[]>([]);
  const [queued, setQueued] = useState<QueuedApplication[]>([]);
  const [error, setError] = useState("");

  const load = useCallback(async () => {
    try {
      const list = await api.marketplace.listWorkerApplications({ parent: `workers/${userId}`, pageSize: 50 });
      setApps(list.applications);
      setError("");
      await saveMessages(storage, CACHE, marketplace.ApplicationSchema, list.applications);
    } catch (e) {
      if (!isOffline(e)) setError(ConnectError.from(e).rawMessage);
      const cached = await loadMessages(storage, CACHE, marketplace.ApplicationSchema);
      if (cached) setApps(cached);
    }
  }, [api, userId, storage]);

  // Reload when a notification arrives (a status change) and when the outbox sends something.
  useEffect(() => {
    void load();
  }, [load, live.length]);
  useEffect(() => {
    const refresh = () => {
      void outbox.list().then(setQueued);
      void load();
    };
    void outbox.list().then(setQueued);
    return outbox.subscribe(refresh);
  }, [outbox, load]);

  return (
    <ScrollView contentContainerStyle={{ padding: 16 }}>
      <Title>{t("apps.title")}</Title>
      <Note>{t("apps.live")}</Note>
      {error ? <Note tone="bad">{t("common.error", { message: error })}</Note> : null}
      {queued.map((q) => (
        <View key={q.job} style={styles.card} testID="queued-application">
          <Text style={{ fontSize: 18, fontWeight: "600" }}>{q.jobTitle}</Text>
          <Note tone="bad">{q.error ? t("common.error", { message: q.error }) : t("apps.queued")}</Note>
          {q.error ? <Button kind="plain" label={t("apps.dismiss")} onPress={() => outbox.dismiss(q.job)} /> : null}
        </View>
      ))}
      {apps.length === 0 && queued.length === 0 && <Note>{t("apps.none")}</Note>}
      {apps.map((a) => {
        const status = marketplace.ApplicationStatus[a.status];
        return (
          <View key={a.name} style={styles.card} accessibilityLabel={`${a.jobTitle}: ${t(`status.${status}` as Key)}`}>
            <Text style={{ fontSize: 18, fontWeight: "600" }}>{a.jobTitle}</Text>
            <Text testID="application-status" style={{ fontSize: 16 }}>{t(`status.${status}` as Key)}</Text>
          </View>
        );
      })}
    </ScrollView>
  );
}
