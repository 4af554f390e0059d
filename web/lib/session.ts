// The session (BFF): the browser never sees a token. Login, sign-up and refresh happen in Next route
// handlers, which keep the access and refresh tokens in httpOnly, Secure, SameSite cookies; pages and
// the /api/v1 proxy attach the access token when they call the platform through the edge.
// CSRF: every state-changing call to a route handler must come from this origin (Origin header) and
// carry the session's CSRF token (a readable cookie, sent back as the x-csrf-token header).
import { randomBytes, timingSafeEqual } from "node:crypto";
import { cookies } from "next/headers";
import type { NextRequest } from "next/server";
import type { TokenPair, User } from "./api/types";

export const ACCESS_COOKIE = "__Host-iworkz-access";
export const REFRESH_COOKIE = "__Host-iworkz-refresh";
export const CSRF_COOKIE = "__Host-iworkz-csrf";
export const CSRF_HEADER = "x-csrf-token";
/** A login's second-factor challenge, between the password step and the code step (identity: 5 minutes). */
export const CHALLENGE_COOKIE = "__Host-iworkz-2fa";
const CHALLENGE_SECONDS = 5 * 60;
const REFRESH_SECONDS = 30 * 24 * 3600;

/** The edge's base URL, as the web server reaches it (make up sets IWORKZ_API_URL). */
export function apiBase(): string {
  return (process.env.IWORKZ_API_URL || "https://127.0.0.1:8443").replace(/\/$/, "");
}

export type Claims = { sub: string; roles: string[]; org?: string; exp: number };

/** The token's claims, read without checking the signature: only to choose what to show. The edge and
 * every service check the token on each call. */
export function claims(token: string | undefined): Claims | null {
  if (!token) return null;
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
    // The token names roles in lower case (`worker`); pages use the contracts' enum names (`ROLE_WORKER`).
    const roles = ((payload.roles ?? []) as string[]).map((r) => (r.startsWith("ROLE_") ? r : `ROLE_${r.toUpperCase()}`));
    return { sub: String(payload.sub), roles, org: payload.org, exp: Number(payload.exp) };
  } catch {
    return null;
  }
}

export type Session = { userId: string; roles: string[]; org?: string; token: string };

export async function session(): Promise<Session | null> {
  const token = (await cookies()).get(ACCESS_COOKIE)?.value;
  const c = claims(token);
  if (!token || !c || c.exp * 1000 < Date.now()) return null;
  return { userId: c.sub, roles: c.roles, org: c.org, token };
}

/** Whether a refresh could bring the session back (a page then sends the browser to /api/session/refresh). */
export async function canRefresh(): Promise<boolean> {
  return Boolean((await cookies()).get(REFRESH_COOKIE)?.value);
}

type CookieJar = { set: (name: string, value: string, options: Record<string, unknown>) => unknown };

const secure = { httpOnly: true, secure: true, path: "/" } as const;

/** Keep a new token pair (login, sign-up, refresh) and a CSRF token in the response's cookies. */
export function keepTokens(jar: CookieJar, tokens: TokenPair, csrf?: string): string {
  const accessSeconds = parseInt(String(tokens.accessTokenExpiresIn ?? "900"), 10) || 900;
  jar.set(ACCESS_COOKIE, tokens.accessToken ?? "", { ...secure, sameSite: "lax", maxAge: accessSeconds });
  jar.set(REFRESH_COOKIE, tokens.refreshToken ?? "", { ...secure, sameSite: "strict", maxAge: REFRESH_SECONDS });
  const token = csrf || randomBytes(24).toString("base64url");
  jar.set(CSRF_COOKIE, token, { httpOnly: false, secure: true, path: "/", sameSite: "strict", maxAge: REFRESH_SECONDS });
  return token;
}

export function keepChallenge(jar: CookieJar, challenge: string): void {
  jar.set(CHALLENGE_COOKIE, challenge, { ...secure, sameSite: "strict", maxAge: CHALLENGE_SECONDS });
}

export function dropChallenge(jar: CookieJar): void {
  jar.set(CHALLENGE_COOKIE, "", { ...secure, sameSite: "strict", maxAge: 0 });
}

export function dropTokens(jar: CookieJar): void {
  for (const name of [ACCESS_COOKIE, REFRESH_COOKIE, CSRF_COOKIE]) {
    jar.set(name, "", { httpOnly: name !== CSRF_COOKIE, secure: true, path: "/", maxAge: 0 });
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Why a state-changing request must be refused, or null when it may go on. `needSession`: the request
 * must also carry the session's CSRF token (everything but login and sign-up, which have no session yet
 * and instead need the header to be present, which a cross-site form cannot add). */
export function csrfProblem(req: NextRequest, needSession = true): string | null {
  const origin = req.headers.get("origin");
  const host = req.headers.get("x-forwarded-host") || req.headers.get("host");
  if (!origin || !host) return "missing Origin";
  try {
    if (new URL(origin).host !== host) return "cross-origin request";
  } catch {
    return "bad Origin";
  }
  const sent = req.headers.get(CSRF_HEADER) || "";
  if (!sent) return "missing CSRF token";
  if (!needSession) return null;
  const kept = req.cookies.get(CSRF_COOKIE)?.value || "";
  if (!kept || !sameText(sent, kept)) return "CSRF token does not match the session";
  return null;
}

export type LoginResult = { user?: User; tokens?: TokenPair };
