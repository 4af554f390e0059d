// Pages that need a signed-in user: back to login (or through a token refresh) when there is none.
import { redirect } from "next/navigation";
import { canRefresh, session, type Session } from "./session";

export async function requireSession(path: string, role?: string): Promise<Session> {
  const s = await session();
  if (!s) {
    if (await canRefresh()) redirect(`/api/session/refresh?next=${encodeURIComponent(path)}`);
    redirect(`/login?next=${encodeURIComponent(path)}`);
  }
  if (role && !s.roles.includes(role) && !s.roles.includes("ROLE_ADMIN")) redirect("/");
  return s;
}

/** `users/{id}` ids double as `workers/{id}` (a worker's profile has its user's id). */
export function workerId(s: Session): string {
  return s.userId;
}

/** `organizations/{id}` from the token's org claim, as the id alone. */
export function orgId(s: Session): string {
  return (s.org ?? "").replace(/^organizations\//, "");
}
