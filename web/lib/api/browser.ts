"use client";
// The platform's API from page scripts: through this app's /api proxy (a Next route handler), which adds
// the access token kept in an httpOnly cookie. Page scripts never hold a token; state-changing calls
// carry the session's CSRF token.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./types";

export const CSRF_COOKIE = "__Host-iworkz-csrf";

export function csrfToken(): string {
  if (typeof document === "undefined") return "";
  const found = document.cookie.split("; ").find((c) => c.startsWith(CSRF_COOKIE + "="));
  return found ? decodeURIComponent(found.slice(CSRF_COOKIE.length + 1)) : "";
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (!["GET", "HEAD", "OPTIONS"].includes(request.method)) {
      request.headers.set("x-csrf-token", csrfToken() || "none");
    }
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: "/api" });
api.use(csrf);

/** A same-origin POST of JSON to one of this app's route handlers, with the CSRF token. */
export async function postJson(url: string, body: unknown): Promise<{ ok: boolean; status: number; data: any }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": csrfToken() || "none" },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, data };
}
