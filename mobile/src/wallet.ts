/**
 * Verifier requests and what the wallet answers with. A verifier's request
 * (a QR code it shows, or pasted text) is JSON or a URL query naming the
 * claim to prove and its challenge: `{"disclose":["jlptAtLeastN4"],
 * "nonce":"…","aud":"https://verifier.example"}` or
 * `iworkz://present?disclose=jlptAtLeastN4&nonce=…&aud=…`.
 */
export interface VerifierRequest {
  disclose: string[];
  nonce: string;
  aud: string;
}

export function parseRequest(text: string): VerifierRequest | null {
  const raw = text.trim();
  try {
    if (raw.startsWith("{")) {
      const j = JSON.parse(raw);
      const disclose = Array.isArray(j.disclose) ? j.disclose.map(String) : [];
      if (!disclose.length || !j.nonce) return null;
      return { disclose, nonce: String(j.nonce), aud: String(j.aud ?? j.domain ?? "") };
    }
    const url = new URL(raw);
    const disclose = (url.searchParams.get("disclose") ?? "").split(",").filter(Boolean);
    const nonce = url.searchParams.get("nonce") ?? "";
    if (!disclose.length || !nonce) return null;
    return { disclose, nonce, aud: url.searchParams.get("aud") ?? "" };
  } catch {
    return null;
  }
}

/** The request the "JLPT N4 or better" button answers when no verifier asked (a fresh challenge). */
export function jlptN4Request(): VerifierRequest {
  const nonce = Array.from({ length: 16 }, () => Math.floor(Math.random() * 16).toString(16)).join("");
  return { disclose: ["jlptAtLeastN4"], nonce, aud: "iworkz:wallet" };
}
