/**
 * Screens rendered with a real client whose platform cannot be reached (a
 * closed loopback port): what a phone without a connection sees.
 */
import React from "react";
import { fireEvent, render, screen, waitFor } from "@testing-library/react-native";
import { IworkzClient, MemoryTokenStore, create, marketplace, types } from "@iworkz/sdk";
import App from "../src/App";
import { AppProvider } from "../src/AppContext";
import { JobPage } from "../src/screens/Jobs";
import { OnboardingScreen } from "../src/screens/Onboarding";
import { MemoryKeyValue } from "./memory";

const nodeFetch = (globalThis as unknown as { __nodeFetch: typeof fetch }).__nodeFetch;
const unreachable = () =>
  new IworkzClient({ baseUrl: "http://127.0.0.1:9", tokenStore: new MemoryTokenStore(), fetch: nodeFetch });
const USER = "11111111-1111-1111-1111-111111111111";
const job = create(marketplace.JobSchema, {
  name: "employers/00000000-0000-0000-0000-000000000000/jobs/00000000-0000-0000-0000-000000000001",
  title: "TIG welder",
  employerDisplayName: "Osaka Welding Works",
  location: { prefecture: "JP-27", city: "Higashiosaka" },
  minJapaneseLevel: types.JapaneseLevel.N4,
  eligibleVisaStatuses: [types.VisaStatus.SSW_1],
  eligibleSswFields: [types.SswField.MANUFACTURING],
});
const profile = create(marketplace.WorkerProfileSchema, {
  name: `workers/${USER}`,
  visaStatus: types.VisaStatus.SSW_1,
  sswField: types.SswField.MANUFACTURING,
  languages: [{ language: "ja", jlptLevel: types.JapaneseLevel.N5 }],
  location: { prefecture: "JP-27" },
});

/** Every pressable control carries a label for screen readers. */
function expectLabelledControls(root: ReturnType<typeof render>) {
  const controls = root.UNSAFE_root.findAll((n) => typeof n.props.onPress === "function" && typeof n.type !== "string");
  expect(controls.length).toBeGreaterThan(0);
  for (const control of controls) {
    const labelled = control.findAll((n) => typeof n.props.accessibilityLabel === "string" && n.props.accessibilityLabel.length > 0);
    expect([control.props.testID ?? control.type, labelled.length > 0 || !!control.props.accessibilityLabel]).toEqual([
      control.props.testID ?? control.type,
      true,
    ]);
  }
}

describe("screens", () => {
  it("starts at sign-up with labelled fields and buttons", async () => {
    const root = render(<App api={unreachable()} storage={new MemoryKeyValue()} />);
    expect(await screen.findByLabelText("Email", {}, { timeout: 20_000 })).toBeTruthy();
    expect(screen.getByLabelText("Password")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Create account" })).toBeTruthy();
    expectLabelledControls(root);
  });

  it("explains eligibility in the chosen language and queues an application made offline", async () => {
    const storage = new MemoryKeyValue();
    const root = render(
      <AppProvider api={unreachable()} storage={storage} language="ja" userId={USER} profile={profile}>
        <JobPage job={job} reasons={[]} onBack={() => undefined} />
      </AppProvider>,
    );
    expect(screen.getByText("満たしていない条件があります")).toBeTruthy();
    expect(screen.getByText(/日本語：N4 以上が必要、あなたは N5/)).toBeTruthy();
    expect(screen.getByText(/在留資格：対象は 特定技能1号、あなたは 特定技能1号/)).toBeTruthy();
    expect(screen.getByText(/特定技能分野：必要 工業製品製造業、あなた 工業製品製造業/)).toBeTruthy();
    expectLabelledControls(root);
    fireEvent.press(screen.getByRole("button", { name: "応募する" }));
    await waitFor(() => expect(screen.getByText("保存しました。オンラインになったら送信します")).toBeTruthy(), { timeout: 15_000 });
    const queued = JSON.parse((await storage.getItem("iworkz.outbox.applications"))!);
    expect(queued.map((q: { job: string }) => q.job)).toEqual([job.name]);
  });

  it("walks the onboarding steps", () => {
    const root = render(
      <AppProvider api={unreachable()} storage={new MemoryKeyValue()} language="vi" userId={USER}>
        <OnboardingScreen onDone={() => undefined} />
      </AppProvider>,
    );
    expect(screen.getByText("Bước 1/6")).toBeTruthy();
    fireEvent.press(screen.getByRole("checkbox", { name: "Ssw 1" }));
    expect(screen.getByRole("checkbox", { name: "Ssw 1" }).props.accessibilityState.checked).toBe(true);
    fireEvent.press(screen.getByRole("button", { name: "Tiếp" }));
    expect(screen.getByText("Bước 2/6")).toBeTruthy();
    expectLabelledControls(root);
  });
});
