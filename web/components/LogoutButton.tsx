"use client";
import { postJson } from "@/lib/api/browser";

export function LogoutButton({ label }: { label: string }) {
  return (
    <button
      type="button"
      className="secondary"
      onClick={async () => {
        await postJson("/api/session/logout", {});
        window.location.assign("/");
      }}
    >
      {label}
    </button>
  );
}
