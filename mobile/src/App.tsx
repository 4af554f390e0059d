/** The worker's app: sign in, onboarding, then six tabs. */
import React, { useEffect, useMemo, useState } from "react";
import { Pressable, StatusBar, Text, View } from "react-native";
import { Code, ConnectError, type IworkzClient } from "@iworkz/sdk";
import { createApi } from "./api";
import { AppProvider, useApp } from "./AppContext";
import { colors } from "./components/ui";
import type { Key } from "./i18n";
import { ApplicationsScreen } from "./screens/Applications";
import { AssistantScreen } from "./screens/Assistant";
import { AuthScreen } from "./screens/Auth";
import { InboxScreen } from "./screens/Inbox";
import { JobsScreen } from "./screens/Jobs";
import { OnboardingScreen } from "./screens/Onboarding";
import { ProfileScreen } from "./screens/Profile";
import { WalletScreen } from "./screens/Wallet";
import type { KeyValue } from "./storage";

const TABS = ["jobs", "applications", "inbox", "wallet", "assistant", "profile"] as const;
type Tab = (typeof TABS)[number];

function Shell() {
  const { api, t, userId, setUserId, profile, setProfile, live, online } = useApp();
  const [tab, setTab] = useState<Tab>("jobs");
  const [onboarding, setOnboarding] = useState(false);
  const [restored, setRestored] = useState(false);

  // A session kept in the secure store survives restarts.
  useEffect(() => {
    void api.userId().then((id) => {
      if (id) setUserId(id);
      setRestored(true);
    });
  }, [api, setUserId]);

  useEffect(() => {
    if (!userId) return;
    api.marketplace
      .getWorkerProfile({ name: `workers/${userId}` })
      .then((r) => {
        setProfile(r.profile);
        if (!r.profile?.visaStatus) setOnboarding(true);
      })
      .catch((e) => {
        // A new worker has no profile yet; offline, the saved copy (AppContext) is used.
        if (ConnectError.from(e).code === Code.NotFound) setOnboarding(true);
      });
  }, [api, userId, setProfile]);

  if (!restored) return null;
  if (!userId) return <AuthScreen />;
  if (onboarding) return <OnboardingScreen onDone={() => setOnboarding(false)} />;

  const unread = live.filter((n) => !n.read).length;
  return (
    <View style={{ flex: 1 }}>
      {!online && (
        <Text accessibilityLiveRegion="polite" style={{ backgroundColor: colors.bad, color: "#fff", padding: 6, textAlign: "center" }}>
          {t("common.offline")}
        </Text>
      )}
      <View style={{ flex: 1 }}>
        {tab === "jobs" && <JobsScreen />}
        {tab === "applications" && <ApplicationsScreen />}
        {tab === "inbox" && <InboxScreen />}
        {tab === "wallet" && <WalletScreen />}
        {tab === "assistant" && <AssistantScreen />}
        {tab === "profile" && (
          <ProfileScreen
            onEdit={() => setOnboarding(true)}
            onLogout={() => {
              void api.logout().catch(() => undefined);
              setProfile(undefined);
              setUserId("");
            }}
          />
        )}
      </View>
      <View accessibilityRole="tablist" style={{ flexDirection: "row", borderTopWidth: 1, borderColor: colors.line }}>
        {TABS.map((name) => {
          const label = t(`nav.${name}` as Key) + (name === "inbox" && unread ? ` (${unread})` : "");
          return (
            <Pressable
              key={name}
              accessibilityRole="tab"
              accessibilityLabel={label}
              accessibilityState={{ selected: tab === name }}
              onPress={() => setTab(name)}
              style={{ flex: 1, paddingVertical: 12, minHeight: 48, alignItems: "center" }}
            >
              <Text style={{ fontSize: 13, color: tab === name ? colors.primary : colors.muted, fontWeight: tab === name ? "700" : "400" }}>
                {label}
              </Text>
            </Pressable>
          );
        })}
      </View>
    </View>
  );
}

export default function App(props: { api?: IworkzClient; storage?: KeyValue }) {
  const api = useMemo(() => props.api ?? createApi(), [props.api]);
  return (
    <View style={{ flex: 1, backgroundColor: colors.bg, paddingTop: StatusBar.currentHeight ?? 0 }}>
      <AppProvider api={api} storage={props.storage}>
        <Shell />
      </AppProvider>
    </View>
  );
}
