import React, { useCallback, useEffect, useMemo, useState } from "react";
import { Pressable, ScrollView, Text, View } from "react-native";
import { Code, ConnectError, marketplace, types } from "@iworkz/sdk";
import { useApp } from "../AppContext";
import { Button, Chip, Field, Note, Title, styles } from "../components/ui";
import { explain, japaneseLevel } from "../eligibility";
import { sswLabel, visaLabel } from "../labels";
import { isOffline, newRequestId } from "../outbox";
import { prefectureName } from "../prefectures";
import { loadMessages, saveMessages } from "../storage";

type Job = marketplace.Job;
const CACHE = "iworkz.jobs";

function wage(job: Job): string {
  const min = job.wageMin?.units ?? 0n;
  const max = job.wageMax?.units ?? 0n;
  const period = types.WagePeriod[job.wagePeriod]?.toLowerCase() ?? "";
  return `¥${min.toLocaleString()}–${max.toLocaleString()} / ${period}`;
}

/** Recommended jobs with reasons, search with filters, and the job page (eligibility explained, apply). */
export function JobsScreen() {
  const { api, t, profile, userId, storage, language } = useApp();
  const [jobs, setJobs] = useState<Job[]>([]);
  const [reasons, setReasons] = useState<Record<string, string[]>>({});
  const [query, setQuery] = useState("");
  const [prefecture, setPrefecture] = useState("");
  const [eligibleOnly, setEligibleOnly] = useState(true);
  const [offline, setOffline] = useState(false);
  const [error, setError] = useState("");
  const [open, setOpen] = useState<Job | null>(null);
  const [attempt, setAttempt] = useState(0);

  const show = useCallback(
    async (load: () => Promise<Job[]>) => {
      setError("");
      try {
        const found = await load();
        setJobs(found);
        setOffline(false);
        await saveMessages(storage, CACHE, marketplace.JobSchema, found);
      } catch (e) {
        if (!isOffline(e)) setError(ConnectError.from(e).rawMessage);
        setOffline(true);
        setJobs((await loadMessages(storage, CACHE, marketplace.JobSchema)) ?? []);
      }
    },
    [storage],
  );

  const search = useCallback(
    () =>
      show(async () => {
        const filters = eligibleOnly && profile
          ? { visaStatus: profile.visaStatus, sswField: profile.sswField, japaneseLevel: japaneseLevel(profile) }
          : {};
        return (await api.marketplace.searchJobs({ query, prefecture, orderBy: "wage desc", pageSize: 30, ...filters })).jobs;
      }),
    [api, show, query, prefecture, eligibleOnly, profile],
  );

  // The feed: the matching service's recommendations with their reasons; plain eligible search when it has none.
  const recommend = useCallback(
    () =>
      show(async () => {
        try {
          const rec = await api.matching.recommendJobs({ worker: `workers/${userId}`, pageSize: 20, languageCode: language === "ja" ? "ja" : "en" });
          if (rec.matches.length) {
            setReasons(Object.fromEntries(rec.matches.map((m) => [m.job, m.reasons.map((r) => r.text)])));
            const full = await Promise.all(rec.matches.map((m) => api.marketplace.getJob({ name: m.job })));
            return full.map((r) => r.job!).filter(Boolean);
          }
        } catch (e) {
          if (isOffline(e)) throw e; // matching not reachable like the rest: offline
          // A profile saved a moment ago reaches matching within seconds: ask again shortly.
          if (ConnectError.from(e).code === Code.FailedPrecondition && attempt < 10) {
            setTimeout(() => setAttempt((a) => a + 1), 2000);
          }
        }
        const filters = profile
          ? { visaStatus: profile.visaStatus, sswField: profile.sswField, japaneseLevel: japaneseLevel(profile) }
          : {};
        return (await api.marketplace.searchJobs({ orderBy: "wage desc", pageSize: 30, ...filters })).jobs;
      }),
    [api, show, userId, profile, attempt, language],
  );

  useEffect(() => {
    void recommend();
  }, [recommend]);

  if (open) return <JobPage job={open} reasons={reasons[open.name] ?? []} onBack={() => setOpen(null)} />;

  return (
    <ScrollView contentContainerStyle={{ padding: 16 }}>
      <Title>{t("jobs.recommended")}</Title>
      {offline && <Note tone="bad">{t("jobs.offline")}</Note>}
      <Field label={t("jobs.query")} value={query} onChangeText={setQuery} onSubmitEditing={search} returnKeyType="search" />
      <Field label={t("jobs.prefecture")} value={prefecture} onChangeText={setPrefecture} placeholder="JP-27" autoCapitalize="characters" />
      <Chip label={t("jobs.eligibleOnly")} selected={eligibleOnly} onPress={() => setEligibleOnly(!eligibleOnly)} />
      <Button label={t("jobs.search")} onPress={search} />
      {error ? <Note tone="bad">{t("common.error", { message: error })}</Note> : null}
      {jobs.length === 0 && <Note>{t("jobs.none")}</Note>}
      {jobs.map((job) => (
        <Pressable
          key={job.name}
          accessibilityRole="button"
          accessibilityLabel={`${job.title}, ${job.employerDisplayName}, ${prefectureName(job.location?.prefecture ?? "")}`}
          onPress={() => setOpen(job)}
          style={styles.card}
        >
          <Text style={{ fontSize: 18, fontWeight: "600" }}>{job.title}</Text>
          <Text>{job.employerDisplayName} · {prefectureName(job.location?.prefecture ?? "")} {job.location?.city}</Text>
          <Text>{wage(job)}</Text>
          {(reasons[job.name] ?? []).slice(0, 2).map((r) => (
            <Note key={r} tone="ok">✓ {r}</Note>
          ))}
        </Pressable>
      ))}
    </ScrollView>
  );
}

export function JobPage(props: { job: Job; reasons: string[]; onBack: () => void }) {
  const { api, t, profile, outbox, language } = useApp();
  const { job } = props;
  // The checks name enum values and prefecture codes: shown in the worker's words.
  const shown = (key: string, value: string) =>
    value
      .split(", ")
      .filter(Boolean)
      .map((v) =>
        key === "location"
          ? prefectureName(v)
          : key === "visa"
            ? visaLabel(types.VisaStatus[v as keyof typeof types.VisaStatus], language)
            : key === "ssw"
              ? sswLabel(types.SswField[v as keyof typeof types.SswField], language)
              : v,
      )
      .join(", ");
  const { eligible, checks } = explain(job, profile);
  const [coverLetter, setCoverLetter] = useState("");
  // One request id per application, kept when it is queued: every attempt is the same request.
  const requestId = useMemo(newRequestId, [job.name]);
  const [result, setResult] = useState<"" | "applied" | "queued">("");
  const [error, setError] = useState("");

  async function apply() {
    setError("");
    try {
      await api.marketplace.createApplication({ parent: job.name, coverLetter, requestId });
      setResult("applied");
    } catch (e) {
      if (isOffline(e)) {
        // No connection: the outbox sends it once the platform can be reached (and never twice).
        await outbox.enqueue({ job: job.name, jobTitle: job.title, coverLetter, requestId });
        setResult("queued");
      } else {
        setError(ConnectError.from(e).rawMessage);
      }
    }
  }

  return (
    <ScrollView contentContainerStyle={{ padding: 16 }}>
      <Button kind="plain" label={t("job.back")} onPress={props.onBack} />
      <Title>{job.title}</Title>
      <Text style={{ fontSize: 16 }}>{job.employerDisplayName} · {prefectureName(job.location?.prefecture ?? "")} {job.location?.city}</Text>
      <Text style={{ fontSize: 16 }}>{t("job.wage")}: {wage(job)}</Text>
      <Text style={{ fontSize: 16, marginVertical: 8 }}>{job.description}</Text>
      {props.reasons.length > 0 && (
        <View>
          <Title>{t("job.reasons")}</Title>
          {props.reasons.map((r) => <Note key={r} tone="ok">✓ {r}</Note>)}
        </View>
      )}
      <Title>{t("job.eligibility")}</Title>
      <Note tone={eligible ? "ok" : "bad"} testID="eligibility">{eligible ? t("job.eligible") : t("job.notEligible")}</Note>
      {checks.map((c) => (
        <Note key={c.key} tone={c.ok ? "ok" : c.required ? "bad" : "muted"}>
          {c.ok ? "✓" : "✗"} {t(`job.check.${c.key}`, { wants: shown(c.key, c.wants), has: shown(c.key, c.has) || "—" })}
        </Note>
      ))}
      {result === "" ? (
        <>
          <Field label={t("job.coverLetter")} value={coverLetter} onChangeText={setCoverLetter} multiline />
          <Button label={t("job.apply")} onPress={apply} />
        </>
      ) : (
        <Note tone="ok" testID="apply-result">{result === "applied" ? t("job.applied") : t("job.queued")}</Note>
      )}
      {error ? <Note tone="bad">{t("common.error", { message: error })}</Note> : null}
    </ScrollView>
  );
}
