// The page scripts' way to the platform: /api/v1/... goes to the edge's /v1/... with the session's access
// token (refreshed once on a 401). State-changing methods need the CSRF token. Responses, Server-Sent
// Events included, stream through unchanged.
import { NextResponse, type NextRequest } from "next/server";
import { refreshTokens, refuseCsrf } from "@/lib/bff";
import { ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE, apiBase, keepTokens } from "@/lib/session";

const SAFE = new Set(["GET", "HEAD"]);
const PASS_REQUEST = ["content-type", "accept", "accept-language", "last-event-id", "traceparent"];
const PASS_RESPONSE = ["content-type", "cache-control", "etag", "retry-after", "x-request-id"];

async function handle(req: NextRequest): Promise<Response> {
  if (!SAFE.has(req.method)) {
    // With a session, the session's CSRF token; without one (a public verifier), same origin and the header.
    const signedIn = Boolean(req.cookies.get(ACCESS_COOKIE)?.value || req.cookies.get(REFRESH_COOKIE)?.value);
    const refused = refuseCsrf(req, signedIn);
    if (refused) return refused;
  }
  const target = `${apiBase()}${req.nextUrl.pathname.slice("/api".length)}${req.nextUrl.search}`;
  const body = SAFE.has(req.method) ? undefined : await req.arrayBuffer();
  const send = (token?: string) => {
    const headers = new Headers();
    for (const name of PASS_REQUEST) {
      const value = req.headers.get(name);
      if (value) headers.set(name, value);
    }
    if (token) headers.set("authorization", `Bearer ${token}`);
    return fetch(target, { method: req.method, headers, body, cache: "no-store", signal: req.signal });
  };
  let upstream = await send(req.cookies.get(ACCESS_COOKIE)?.value);
  let fresh = null;
  if (upstream.status === 401) {
    fresh = await refreshTokens(req);
    if (fresh) upstream = await send(fresh.accessToken);
  }
  const headers = new Headers();
  for (const name of PASS_RESPONSE) {
    const value = upstream.headers.get(name);
    if (value) headers.set(name, value);
  }
  if ((headers.get("content-type") || "").startsWith("text/event-stream")) {
    headers.set("cache-control", "no-cache, no-transform");
    headers.set("x-accel-buffering", "no");
  }
  const out = new NextResponse(upstream.body, { status: upstream.status, headers });
  if (fresh) keepTokens(out.cookies, fresh, req.cookies.get(CSRF_COOKIE)?.value);
  return out;
}

export const GET = handle;
export const POST = handle;
export const PATCH = handle;
export const PUT = handle;
export const DELETE = handle;
export const dynamic = "force-dynamic";
