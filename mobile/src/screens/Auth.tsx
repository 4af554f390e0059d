import React, { useState } from "react";
import { ScrollView } from "react-native";
import { ConnectError, identity } from "@iworkz/sdk";
import { useApp } from "../AppContext";
import { Button, Field, Note, Title } from "../components/ui";

/** Sign up (as a worker) or log in; the tokens go to the secure store. */
export function AuthScreen() {
  const { api, t, setUserId } = useApp();
  const [mode, setMode] = useState<"signup" | "login">("signup");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit() {
    setBusy(true);
    setError("");
    try {
      if (mode === "signup") {
        await api.signUp({ email, password, displayName: name, accountType: identity.AccountType.WORKER });
      } else {
        await api.login(email, password);
      }
      setUserId(await api.userId());
    } catch (e) {
      setError(ConnectError.from(e).rawMessage);
    } finally {
      setBusy(false);
    }
  }

  return (
    <ScrollView contentContainerStyle={{ padding: 20 }}>
      <Title>{mode === "signup" ? t("auth.signup") : t("auth.login")}</Title>
      {mode === "signup" && <Field label={t("auth.name")} value={name} onChangeText={setName} autoComplete="name" />}
      <Field
        label={t("auth.email")}
        value={email}
        onChangeText={setEmail}
        autoCapitalize="none"
        keyboardType="email-address"
        autoComplete="email"
      />
      <Field label={t("auth.password")} value={password} onChangeText={setPassword} secureTextEntry autoComplete="password" />
      {error ? <Note tone="bad">{t("common.error", { message: error })}</Note> : null}
      <Button label={mode === "signup" ? t("auth.signup") : t("auth.login")} onPress={submit} disabled={busy} />
      <Button
        kind="plain"
        label={mode === "signup" ? t("auth.toLogin") : t("auth.toSignup")}
        onPress={() => setMode(mode === "signup" ? "login" : "signup")}
      />
    </ScrollView>
  );
}
