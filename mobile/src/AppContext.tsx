/**
 * What every screen shares: the client, the language, whether the device is
 * online, the worker's profile, the application outbox and the live
 * notification stream (one per signed-in session, resumed after breaks).
 */
import React, { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { AppState, Platform } from "react-native";
import NetInfo from "@react-native-community/netinfo";
import { Code, marketplace, notifications, type IworkzClient } from "@iworkz/sdk";
import { deviceLanguage, translate, type Key, type Language } from "./i18n";
import { ApplicationOutbox } from "./outbox";
import { deviceStorage, loadMessages, saveMessages, type KeyValue } from "./storage";

type Notification = notifications.Notification;

export interface AppValue {
  api: IworkzClient;
  storage: KeyValue;
  language: Language;
  setLanguage: (l: Language) => void;
  t: (key: Key, values?: Record<string, string | number>) => string;
  online: boolean;
  userId: string;
  setUserId: (id: string) => void;
  profile: marketplace.WorkerProfile | undefined;
  setProfile: (p: marketplace.WorkerProfile | undefined) => void;
  outbox: ApplicationOutbox;
  /** Notifications received live since sign-in, newest first. */
  live: Notification[];
}

const Ctx = createContext<AppValue | null>(null);

export function useApp(): AppValue {
  const value = useContext(Ctx);
  if (!value) throw new Error("useApp outside AppProvider");
  return value;
}

async function notifyInBackground(n: Notification) {
  if (Platform.OS === "web" || AppState.currentState === "active") return;
  const Notifications = await import("expo-notifications");
  await Notifications.scheduleNotificationAsync({ content: { title: n.title, body: n.body }, trigger: null });
}

export function AppProvider(props: {
  api: IworkzClient;
  storage?: KeyValue;
  language?: Language;
  /** Start signed in as this user with this profile (tests; the app restores the session itself). */
  userId?: string;
  profile?: marketplace.WorkerProfile;
  children: React.ReactNode;
}) {
  const { api } = props;
  const storage = props.storage ?? deviceStorage;
  const [language, setLanguage] = useState<Language>(props.language ?? deviceLanguage());
  const [online, setOnline] = useState(true);
  const [userId, setUserId] = useState(props.userId ?? "");
  const [profile, setProfileState] = useState<marketplace.WorkerProfile | undefined>(props.profile);
  const [live, setLive] = useState<Notification[]>([]);
  const outbox = useMemo(
    () =>
      new ApplicationOutbox(storage, async (item) => {
        await api.marketplace.createApplication({ parent: item.job, coverLetter: item.coverLetter, requestId: item.requestId });
      }),
    [api, storage],
  );
  const t = useCallback((key: Key, values?: Record<string, string | number>) => translate(language, key, values), [language]);

  const setProfile = useCallback(
    (p: marketplace.WorkerProfile | undefined) => {
      setProfileState(p);
      if (p) void saveMessages(storage, "iworkz.profile", marketplace.WorkerProfileSchema, [p]);
    },
    [storage],
  );

  // Offline copy of the profile, for eligibility without a connection.
  useEffect(() => {
    if (!userId || profile) return;
    void loadMessages(storage, "iworkz.profile", marketplace.WorkerProfileSchema).then((p) => {
      if (p?.[0]?.name === `workers/${userId}`) setProfileState((current) => current ?? p[0]);
    });
  }, [userId, profile, storage]);

  // Online state: send the outbox whenever the connection comes back.
  const wasOnline = useRef(true);
  useEffect(() => {
    return NetInfo.addEventListener((state) => {
      const now = state.isConnected !== false;
      setOnline(now);
      if (now && !wasOnline.current) void outbox.flush();
      wasOnline.current = now;
    });
  }, [outbox]);

  // While signed in: flush at start and every 15 s (a phone may be "connected" without reaching us).
  useEffect(() => {
    if (!userId) return;
    void outbox.flush();
    const timer = setInterval(() => void outbox.flush(), 15_000);
    return () => clearInterval(timer);
  }, [userId, outbox]);

  // Local notifications need the user's permission on a phone: asked once signed in.
  useEffect(() => {
    if (!userId || Platform.OS === "web") return;
    void import("expo-notifications")
      .then((Notifications) => Notifications.requestPermissionsAsync())
      .catch(() => undefined);
  }, [userId]);

  // The live stream of notifications (application status changes arrive here).
  useEffect(() => {
    if (!userId) return;
    const controller = new AbortController();
    (async () => {
      const stream = api.notificationStream(`users/${userId}`, {
        signal: controller.signal,
        reconnectDelayMs: 2000,
        retryOn: [Code.Unavailable, Code.Unknown, Code.DeadlineExceeded, Code.Internal],
      });
      for await (const n of stream) {
        setLive((current) => [n, ...current.filter((c) => c.eventId !== n.eventId)]);
        void notifyInBackground(n);
      }
    })().catch(() => undefined);
    return () => controller.abort();
  }, [api, userId]);

  const value: AppValue = {
    api,
    storage,
    language,
    setLanguage,
    t,
    online,
    userId,
    setUserId,
    profile,
    setProfile,
    outbox,
    live,
  };
  return <Ctx.Provider value={value}>{props.children}</Ctx.Provider>;
}
