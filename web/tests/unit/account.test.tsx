import { cleanup, render, screen, within } from "@testing-library/react";
import { AppRouterContext } from "next/dist/shared/lib/app-router-context.shared-runtime";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { Sessions } from "@/app/account/AccountForms";
import { TwoFactor } from "@/app/account/two-factor/TwoFactor";

afterEach(cleanup);

// The components call useRouter() (for refresh after a change); these tests only render them.
const router = { back() {}, forward() {}, refresh() {}, push() {}, replace() {}, prefetch() {} };
const inApp = (ui: ReactNode) => render(<AppRouterContext.Provider value={router as never}>{ui}</AppRouterContext.Provider>);

const SESSIONS = [
  { name: "users/u1/sessions/s1", userAgent: "Firefox on Android", clientAddress: "127.0.0.1", createTime: "2026-12-03T01:00:00Z", lastUseTime: "2026-12-03T02:30:00Z", current: true },
  { name: "users/u1/sessions/s2", userAgent: "", clientAddress: "10.0.0.2", createTime: "2026-12-01T01:00:00Z", lastUseTime: "2026-12-02T01:00:00Z", current: false },
];

describe("signed-in devices", () => {
  it("marks this device and offers a named sign-out button for each other one", () => {
    inApp(<Sessions locale="en" user="u1" sessions={SESSIONS} />);
    const rows = within(screen.getByRole("table")).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByText("this device")).toBeTruthy();
    expect(within(rows[0]).queryByRole("button")).toBeNull();
    expect(within(rows[1]).getByRole("button", { name: "Sign out Unknown device" })).toBeTruthy();
    expect(rows[0].textContent).toContain("Dec 3, 2026"); // Japan time
    expect(screen.getByRole("button", { name: "Sign out everywhere else" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Sign out everywhere" })).toBeTruthy();
  });

  it("speaks Japanese", () => {
    inApp(<Sessions locale="ja" user="u1" sessions={SESSIONS} />);
    expect(screen.getByRole("button", { name: "すべての端末からログアウト" })).toBeTruthy();
    expect(screen.getByText("この端末")).toBeTruthy();
  });
});

describe("two-step sign-in", () => {
  it("asks for a code (labelled, with its hint) to turn it off when it is on", () => {
    inApp(<TwoFactor locale="en" user="u1" enabled />);
    const code = screen.getByLabelText("Code");
    expect(code.getAttribute("autocomplete")).toBe("one-time-code");
    expect(code.getAttribute("aria-describedby")).toBe("disableCode-hint");
    expect(screen.getByRole("button", { name: "Turn off two-step sign-in" })).toBeTruthy();
  });

  it("starts with the enrolment button when it is off", () => {
    inApp(<TwoFactor locale="en" user="u1" enabled={false} />);
    expect(screen.getByRole("button", { name: "Start" })).toBeTruthy();
    expect(screen.queryByLabelText("Code")).toBeNull();
  });
});
