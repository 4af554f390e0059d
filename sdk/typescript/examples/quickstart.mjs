// A worker signs up, fills the profile, finds a welding job in Osaka and applies;
// then follows the application live. Run: IWORKZ_EDGE=https://127.0.0.1:8443 node quickstart.mjs
import { IworkzClient, identity, types } from "@iworkz/sdk";

const api = new IworkzClient({ baseUrl: process.env.IWORKZ_EDGE ?? "https://127.0.0.1:8443" });
const email = `an-${Date.now()}@example.com`;
const me = await api.signUp({
  email,
  password: "correct horse battery",
  displayName: "Nguyen Van An",
  accountType: identity.AccountType.WORKER,
});
const worker = "workers/" + me.user.name.split("/")[1];
await api.marketplace.updateWorkerProfile({
  profile: {
    name: worker,
    displayName: "Nguyen Van An",
    visaStatus: types.VisaStatus.SSW_1,
    sswField: types.SswField.MANUFACTURING,
    languages: [{ language: "ja", jlptLevel: types.JapaneseLevel.N3 }],
    location: { prefecture: "JP-27", city: "Osaka" },
  },
});
const found = await api.marketplace.searchJobs({
  prefecture: "JP-27",
  visaStatus: types.VisaStatus.SSW_1,
  sswField: types.SswField.MANUFACTURING,
  japaneseLevel: types.JapaneseLevel.N3,
  orderBy: "wage desc",
});
console.log(`${found.jobs.length} jobs; the best paid: ${found.jobs[0]?.title}`);
if (found.jobs[0]) {
  const applied = await api.marketplace.createApplication({ parent: found.jobs[0].name, coverLetter: "TIG welding, 5 years" });
  console.log("applied:", applied.application.name);
}
// Live: the employer's moves arrive here (Ctrl-C to stop; IWORKZ_FOLLOW=0 to skip).
if (process.env.IWORKZ_FOLLOW !== "0") {
  for await (const n of api.notificationStream(me.user.name)) console.log(n.title);
}
