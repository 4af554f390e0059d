// What a verifier pastes, uploads or opens, checked by the platform (public RPCs, no account): a share
// link or token, a credential (JSON-LD VC), a presentation (VP), or an SD-JWT (with its KB-JWT).
import { apiBase } from "./session";

export type Check = { check?: string; result?: string; reason?: string; credentialId?: string };
export type Verdict = { verified: boolean; checks: Check[]; disclosed?: Record<string, unknown>; error?: string };

/** The token of a share link (`.../v1/shares/<token>`, `.../verify/<token>?c=..&d=..`), or null. */
export function shareToken(input: string): string | null {
  const m = /\/(?:v1\/shares|verify)\/([A-Za-z0-9_-]{8,})\/?(?:[?#].*)?$/.exec(input.trim());
  return m ? m[1] : null;
}

/** The challenge and domain a share link of this app carries (`?c=`, `?d=`), for the binding check. */
export function shareBinding(input: string): { challenge: string; domain: string } | null {
  const query = input.trim().split("?")[1] ?? "";
  const params = new URLSearchParams(query.split("#")[0]);
  const challenge = params.get("c");
  const domain = params.get("d");
  return challenge && domain ? { challenge, domain } : null;
}

export type Kind = "share" | "credential" | "presentation" | "sd-jwt" | "unknown";

export function kindOf(input: string): Kind {
  const text = input.trim();
  if (shareToken(text)) return "share";
  if (text.startsWith("{")) {
    try {
      const doc = JSON.parse(text);
      const types: string[] = [].concat(doc.type ?? []);
      return types.includes("VerifiablePresentation") ? "presentation" : "credential";
    } catch {
      return "unknown";
    }
  }
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*(~[A-Za-z0-9_.-]*)+$/.test(text)) return "sd-jwt";
  return "unknown";
}

async function post(path: string, body: unknown) {
  const r = await fetch(`${apiBase()}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    cache: "no-store",
  });
  return { ok: r.ok, body: await r.json().catch(() => ({})) };
}

function verdict(r: { ok: boolean; body: any }): Verdict {
  if (!r.ok) return { verified: false, checks: [], error: r.body?.message ?? "verification failed" };
  return { verified: Boolean(r.body.verified), checks: r.body.checks ?? [], disclosed: r.body.disclosedClaims ?? undefined };
}

export async function verifyPresentation(presentation: unknown, binding?: { challenge: string; domain: string } | null): Promise<Verdict> {
  return verdict(await post("/v1/presentations:verify", { verifiablePresentation: presentation, ...(binding ? { options: binding } : {}) }));
}

export async function verifyInput(input: string): Promise<Verdict> {
  const text = input.trim();
  switch (kindOf(text)) {
    case "share": {
      const r = await fetch(`${apiBase()}/v1/shares/${shareToken(text)}`, { cache: "no-store" });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) return { verified: false, checks: [], error: body?.message ?? "the share link does not work" };
      return verifyPresentation(body.presentation, shareBinding(text));
    }
    case "presentation":
      return verifyPresentation(JSON.parse(text));
    case "sd-jwt":
      // Ending in `~`: a credential with its disclosures; otherwise a presentation ending in its KB-JWT.
      if (text.endsWith("~")) return verdict(await post("/v1/credentials:verify", { verifiableCredential: text }));
      return verifyPresentation(text);
    case "credential":
      return verdict(await post("/v1/credentials:verify", { verifiableCredential: JSON.parse(text) }));
    default:
      return { verified: false, checks: [], error: "not a credential, presentation, SD-JWT or share link" };
  }
}
