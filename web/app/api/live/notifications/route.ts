// The signed-in user's notifications as Server-Sent Events an EventSource can resume: each event has an
// `id:` (its event id), and a reconnecting browser's Last-Event-ID becomes the Subscribe request's
// `last_event_id`, so nothing sent while it was away is lost.
import { NextResponse, type NextRequest } from "next/server";
import { errorResponse, refreshTokens } from "@/lib/bff";
import { ACCESS_COOKIE, CSRF_COOKIE, apiBase, claims, keepTokens } from "@/lib/session";
import { notificationEventId, withIds } from "@/lib/sse";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest) {
  let token = req.cookies.get(ACCESS_COOKIE)?.value;
  let fresh = null;
  if (!claims(token) || claims(token)!.exp * 1000 < Date.now() + 5000) {
    fresh = await refreshTokens(req);
    token = fresh?.accessToken;
  }
  const user = claims(token)?.sub;
  if (!token || !user) return errorResponse(401, 16, "not signed in");
  const last = req.headers.get("last-event-id") || req.nextUrl.searchParams.get("lastEventId") || "";
  const query = /^[0-9]{1,19}$/.test(last) ? `?last_event_id=${last}` : "";
  const upstream = await fetch(`${apiBase()}/v1/users/${user}/notifications:subscribe${query}`, {
    headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
    cache: "no-store",
    signal: req.signal,
  });
  if (!upstream.ok || !upstream.body) {
    return new NextResponse(upstream.body, { status: upstream.status, headers: { "content-type": "application/json" } });
  }
  const out = new NextResponse(withIds(upstream.body, notificationEventId), {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
  if (fresh) keepTokens(out.cookies, fresh, req.cookies.get(CSRF_COOKIE)?.value);
  return out;
}
