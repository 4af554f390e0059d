// Route-handler plumbing: calling the edge, refreshing tokens, answering in the edge's error shape.
import { NextResponse, type NextRequest } from "next/server";
import type { TokenPair } from "./api/types";
import { REFRESH_COOKIE, apiBase, csrfProblem, keepChallenge, keepTokens } from "./session";

export function errorResponse(status: number, code: number, message: string): NextResponse {
  return NextResponse.json({ code, message, details: [] }, { status });
}

export function refuseCsrf(req: NextRequest, needSession = true): NextResponse | null {
  const problem = csrfProblem(req, needSession);
  return problem ? errorResponse(403, 7, `forbidden: ${problem}`) : null;
}

/** Rotate the refresh token (identity detects reuse); the new pair, or null when the session is over. */
export async function refreshTokens(req: NextRequest): Promise<TokenPair | null> {
  const refreshToken = req.cookies.get(REFRESH_COOKIE)?.value;
  if (!refreshToken) return null;
  const response = await fetch(`${apiBase()}/v1/auth:refresh`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ refreshToken }),
    cache: "no-store",
  });
  if (!response.ok) return null;
  const body = await response.json();
  return body.tokens ?? null;
}

/** Log in or sign up at the edge and keep the tokens in cookies; the edge's answer (without tokens). */
export async function startSession(req: NextRequest, path: string): Promise<NextResponse> {
  const refused = refuseCsrf(req, false);
  if (refused) return refused;
  const body = await req.text();
  const response = await fetch(`${apiBase()}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    cache: "no-store",
  });
  const data = await response.json().catch(() => ({ code: 13, message: "bad reply from the platform" }));
  if (response.ok && data.secondFactor?.challenge) {
    // The account has a second factor: no tokens yet. The challenge waits in an httpOnly cookie for the
    // code (POST /api/session/second-factor); the page learns only that a code is needed.
    const out = NextResponse.json({ secondFactor: true });
    keepChallenge(out.cookies, data.secondFactor.challenge);
    return out;
  }
  if (!response.ok || !data.tokens) {
    return NextResponse.json(data, { status: response.ok ? 502 : response.status });
  }
  const out = NextResponse.json({ user: data.user });
  keepTokens(out.cookies, data.tokens);
  return out;
}
