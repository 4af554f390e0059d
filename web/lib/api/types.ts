// Short names for the generated API types (from .api/schema.ts, built from the contracts).
import type { components, paths } from "@/.api/schema";

export type { paths };
type S = components["schemas"];
export type ApiError = S["Error"];
export type User = S["iworkz.identity.v1.User"];
export type TokenPair = S["iworkz.identity.v1.TokenPair"];
export type WorkerProfile = S["iworkz.marketplace.v1.WorkerProfile"];
export type Job = S["iworkz.marketplace.v1.Job"];
export type Application = S["iworkz.marketplace.v1.Application"];
export type ApplicationStatus = S["iworkz.marketplace.v1.ApplicationStatus"];
export type JobMatch = S["iworkz.matching.v1.JobMatch"];
export type WorkerMatch = S["iworkz.matching.v1.WorkerMatch"];
export type ScoreBreakdown = S["iworkz.matching.v1.ScoreBreakdown"];
export type Explanation = S["iworkz.matching.v1.ExplainMatchResponse"];
export type Notification = S["iworkz.notifications.v1.Notification"];
export type ResumeDraft = S["iworkz.agent.v1.ResumeDraft"];
export type Money = S["google.type.Money"];
export type Location = S["iworkz.type.v1.Location"];
export type VisaStatus = S["iworkz.type.v1.VisaStatus"];
export type SswField = S["iworkz.type.v1.SswField"];
export type JapaneseLevel = S["iworkz.type.v1.JapaneseLevel"];
export type Credential = S["iworkz.credentials.v1.Credential"];
