import React, { useEffect, useState } from "react";
import { Platform, ScrollView, Text, View } from "react-native";
import QRCode from "react-native-qrcode-svg";
import { ConnectError, credentials } from "@iworkz/sdk";
import { useApp } from "../AppContext";
import { Button, Field, Note, Title, styles } from "../components/ui";
import { isOffline } from "../outbox";
import { loadMessages, saveMessages } from "../storage";
import { jlptN4Request, parseRequest, type VerifierRequest } from "../wallet";

const CACHE = "iworkz.wallet";

/** Credentials (readable offline), a selective-disclosure QR ("JLPT N4 or better"), and a verifier's request. */
export function WalletScreen() {
  const { api, t, userId, storage } = useApp();
  const [items, setItems] = useState<credentials.Credential[]>([]);
  const [qr, setQr] = useState("");
  const [requestText, setRequestText] = useState("");
  const [scanning, setScanning] = useState(false);
  const [error, setError] = useState("");

  useEffect(() => {
    api.credentials
      .listWalletCredentials({ parent: `workers/${userId}`, pageSize: 50 })
      .then(async (r) => {
        setItems(r.credentials);
        await saveMessages(storage, CACHE, credentials.CredentialSchema, r.credentials);
      })
      .catch(async (e) => {
        if (!isOffline(e)) setError(ConnectError.from(e).rawMessage);
        setItems((await loadMessages(storage, CACHE, credentials.CredentialSchema)) ?? []);
      });
  }, [api, userId, storage]);

  async function present(request: VerifierRequest) {
    setError("");
    // An SD-JWT credential that carries every claim asked for (JLPT results carry jlptAtLeastN5..N1).
    const match = items.find(
      (c) =>
        c.format === credentials.CredentialFormat.SD_JWT &&
        request.disclose.every((claim) => !claim.startsWith("jlpt") || c.type.startsWith("Jlpt")),
    );
    if (!match) return setError(t("wallet.noMatch"));
    try {
      const vp = await api.credentials.createPresentation({
        parent: `workers/${userId}`,
        credentials: [match.name],
        challenge: request.nonce,
        domain: request.aud,
        disclose: request.disclose,
      });
      const link = await api.credentials.createShareLink({ parent: `workers/${userId}`, presentation: vp.presentation, oneTime: true });
      setQr(link.shareLink?.url ?? "");
    } catch (e) {
      setError(ConnectError.from(e).rawMessage);
    }
  }

  return (
    <ScrollView contentContainerStyle={{ padding: 16 }}>
      <Title>{t("wallet.title")}</Title>
      {items.length === 0 && <Note>{t("wallet.none")}</Note>}
      {items.map((c) => (
        <View key={c.name} style={styles.card}>
          <Text style={{ fontSize: 17, fontWeight: "600" }}>{c.type}</Text>
          <Text>{c.issuerDid}</Text>
          <Text>{credentials.CredentialState[c.state]}</Text>
        </View>
      ))}
      <Button label={t("wallet.showJlpt")} onPress={() => present(jlptN4Request())} />
      {qr ? (
        <View style={{ alignItems: "center", marginVertical: 12 }} accessible accessibilityLabel={t("wallet.qrHint")}>
          <QRCode value={qr} size={240} />
          <Note>{t("wallet.qrHint")}</Note>
        </View>
      ) : null}
      <Title>{t("wallet.scan")}</Title>
      {Platform.OS !== "web" && <Button kind="plain" label={t("wallet.scan")} onPress={() => setScanning(!scanning)} />}
      {scanning && Platform.OS !== "web" ? <Scanner onScanned={(text) => { setScanning(false); setRequestText(text); }} /> : null}
      <Field label={t("wallet.request")} value={requestText} onChangeText={setRequestText} autoCapitalize="none" />
      <Button
        label={t("wallet.share")}
        onPress={() => {
          const request = parseRequest(requestText);
          if (request) void present(request);
          else setError(t("wallet.noMatch"));
        }}
      />
      {error ? <Note tone="bad">{error}</Note> : null}
    </ScrollView>
  );
}

/** The camera reading a QR code (native only; the web pastes the request). */
function Scanner(props: { onScanned: (text: string) => void }) {
  // Loaded only where it is used: the camera module has no web build worth shipping.
  const { CameraView, useCameraPermissions } = require("expo-camera") as typeof import("expo-camera");
  const [permission, ask] = useCameraPermissions();
  useEffect(() => {
    if (permission && !permission.granted) void ask();
  }, [permission, ask]);
  if (!permission?.granted) return null;
  return (
    <CameraView
      style={{ height: 280 }}
      barcodeScannerSettings={{ barcodeTypes: ["qr"] }}
      onBarcodeScanned={(r) => props.onScanned(r.data)}
      accessibilityLabel="camera"
    />
  );
}
