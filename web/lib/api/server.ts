// The platform's API from the web server (server components, route handlers): through the edge, with
// the session's access token. Types are generated from the contracts (.api/schema.ts).
import createClient from "openapi-fetch";
import type { paths } from "./types";
import { apiBase, session } from "../session";

export async function serverApi(token?: string) {
  const t = token ?? (await session())?.token;
  return createClient<paths>({
    baseUrl: apiBase(),
    headers: t ? { authorization: `Bearer ${t}` } : {},
    cache: "no-store",
  });
}
