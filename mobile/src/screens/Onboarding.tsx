import React, { useState } from "react";
import { ScrollView, View } from "react-native";
import { ConnectError, create, marketplace, types } from "@iworkz/sdk";
import { useApp } from "../AppContext";
import { Button, Chip, Field, Note, Title } from "../components/ui";
import { sswLabel, visaLabel } from "../labels";
import { PREFECTURES } from "../prefectures";

const VISAS = [
  types.VisaStatus.SSW_1,
  types.VisaStatus.SSW_2,
  types.VisaStatus.TECHNICAL_INTERN,
  types.VisaStatus.ENGINEER_SPECIALIST,
  types.VisaStatus.STUDENT,
  types.VisaStatus.PERMANENT_RESIDENT,
  types.VisaStatus.SPOUSE_OR_CHILD,
  types.VisaStatus.LONG_TERM_RESIDENT,
  types.VisaStatus.NEEDS_SPONSORSHIP,
];
const FIELDS = Object.values(types.SswField).filter((v): v is types.SswField => typeof v === "number" && v > 0);
const LEVELS = [types.JapaneseLevel.NONE, types.JapaneseLevel.N5, types.JapaneseLevel.N4, types.JapaneseLevel.N3, types.JapaneseLevel.N2, types.JapaneseLevel.N1, types.JapaneseLevel.NATIVE];
const SPOKEN = ["en", "vi", "id", "tl", "ne", "my", "zh", "km", "th", "mn"];

/** Onboarding in steps: residence, SSW field, JLPT, languages, prefecture, availability; saved at the end. */
export function OnboardingScreen(props: { onDone: () => void }) {
  const { api, t, userId, profile, setProfile, language } = useApp();
  const [step, setStep] = useState(0);
  const [visa, setVisa] = useState(profile?.visaStatus ?? types.VisaStatus.UNSPECIFIED);
  const [field, setField] = useState(profile?.sswField ?? types.SswField.UNSPECIFIED);
  const [jlpt, setJlpt] = useState(profile?.languages.find((l) => l.language === "ja")?.jlptLevel ?? types.JapaneseLevel.UNSPECIFIED);
  const [spoken, setSpoken] = useState<string[]>(profile?.languages.filter((l) => l.language !== "ja").map((l) => l.language) ?? []);
  const [prefecture, setPrefecture] = useState(profile?.location?.prefecture ?? "");
  const [hours, setHours] = useState(String(profile?.availability?.hoursPerWeek || 40));
  const [error, setError] = useState("");
  const steps = [t("onb.visa"), t("onb.ssw"), t("onb.jlpt"), t("onb.languages"), t("onb.prefecture"), t("onb.availability")];

  async function save() {
    setError("");
    const next = create(marketplace.WorkerProfileSchema, {
      name: `workers/${userId}`,
      visaStatus: visa,
      sswField: field,
      languages: [
        { language: "ja", jlptLevel: jlpt },
        ...spoken.map((language) => ({ language, jlptLevel: types.JapaneseLevel.UNSPECIFIED })),
      ],
      location: { prefecture, city: "" },
      availability: { hoursPerWeek: Number(hours) || 0, employmentTypes: [types.EmploymentType.FULL_TIME] },
    });
    try {
      const saved = await api.marketplace.updateWorkerProfile({
        profile: next,
        updateMask: { paths: ["visa_status", "ssw_field", "languages", "location", "availability"] },
      });
      setProfile(saved.profile);
      props.onDone();
    } catch (e) {
      setError(ConnectError.from(e).rawMessage);
    }
  }

  const options: React.ReactNode[] = [
    VISAS.map((v) => <Chip key={v} label={visaLabel(v, language)} selected={visa === v} onPress={() => setVisa(v)} />),
    FIELDS.map((f) => <Chip key={f} label={sswLabel(f, language)} selected={field === f} onPress={() => setField(f)} />),
    LEVELS.map((l) => <Chip key={l} label={types.JapaneseLevel[l]} selected={jlpt === l} onPress={() => setJlpt(l)} />),
    SPOKEN.map((code) => (
      <Chip
        key={code}
        label={code}
        selected={spoken.includes(code)}
        onPress={() => setSpoken(spoken.includes(code) ? spoken.filter((c) => c !== code) : [...spoken, code])}
      />
    )),
    PREFECTURES.map(([code, name]) => <Chip key={code} label={name} selected={prefecture === code} onPress={() => setPrefecture(code)} />),
    <Field key="hours" label={t("onb.hours")} value={hours} onChangeText={setHours} keyboardType="number-pad" />,
  ];

  return (
    <ScrollView contentContainerStyle={{ padding: 20 }}>
      <Title>{t("onb.title")}</Title>
      <Note>{t("onb.step", { n: step + 1, total: steps.length })}</Note>
      <Title>{steps[step]}</Title>
      <View style={{ flexDirection: "row", flexWrap: "wrap" }}>{options[step]}</View>
      {error ? <Note tone="bad">{t("common.error", { message: error })}</Note> : null}
      {step < steps.length - 1 ? (
        <Button label={t("onb.next")} onPress={() => setStep(step + 1)} />
      ) : (
        <Button label={t("onb.finish")} onPress={save} />
      )}
      {step > 0 && <Button kind="plain" label={t("onb.back")} onPress={() => setStep(step - 1)} />}
    </ScrollView>
  );
}
