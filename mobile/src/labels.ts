/**
 * Names of the platform's enums (status of residence, SSW field) for the UI:
 * Japanese names where the worker reads Japanese (the words on residence
 * cards and in SSW notices), the enum's own words elsewhere.
 */
import { types } from "@iworkz/sdk";
import type { Language } from "./i18n";

const VISA_JA: Partial<Record<types.VisaStatus, string>> = {
  [types.VisaStatus.JAPANESE_NATIONAL]: "日本国籍",
  [types.VisaStatus.PERMANENT_RESIDENT]: "永住者",
  [types.VisaStatus.SPOUSE_OR_CHILD]: "日本人の配偶者等",
  [types.VisaStatus.LONG_TERM_RESIDENT]: "定住者",
  [types.VisaStatus.SSW_1]: "特定技能1号",
  [types.VisaStatus.SSW_2]: "特定技能2号",
  [types.VisaStatus.TECHNICAL_INTERN]: "技能実習",
  [types.VisaStatus.ENGINEER_SPECIALIST]: "技術・人文知識・国際業務",
  [types.VisaStatus.STUDENT]: "留学",
  [types.VisaStatus.NEEDS_SPONSORSHIP]: "ビザの支援が必要",
  [types.VisaStatus.DEPENDENT]: "家族滞在",
  [types.VisaStatus.DESIGNATED_ACTIVITIES]: "特定活動",
  [types.VisaStatus.NURSING_CARE]: "介護",
  [types.VisaStatus.HIGHLY_SKILLED_PROFESSIONAL]: "高度専門職",
  [types.VisaStatus.SKILL_DEVELOPMENT]: "育成就労",
};

const SSW_JA: Partial<Record<types.SswField, string>> = {
  [types.SswField.NURSING_CARE]: "介護",
  [types.SswField.BUILDING_CLEANING]: "ビルクリーニング",
  [types.SswField.MANUFACTURING]: "工業製品製造業",
  [types.SswField.CONSTRUCTION]: "建設",
  [types.SswField.SHIPBUILDING]: "造船・舶用工業",
  [types.SswField.AUTOMOBILE_MAINTENANCE]: "自動車整備",
  [types.SswField.AVIATION]: "航空",
  [types.SswField.ACCOMMODATION]: "宿泊",
  [types.SswField.AGRICULTURE]: "農業",
  [types.SswField.FISHERY]: "漁業",
  [types.SswField.FOOD_MANUFACTURING]: "飲食料品製造業",
  [types.SswField.FOOD_SERVICE]: "外食業",
  [types.SswField.TRANSPORTATION]: "自動車運送業",
  [types.SswField.RAILWAY]: "鉄道",
  [types.SswField.FORESTRY]: "林業",
  [types.SswField.WOOD_INDUSTRY]: "木材産業",
};

/** "SSW_1" -> "Ssw 1": the enum's words, readable. */
export function words(name: string | undefined): string {
  return (name ?? "").replace(/_/g, " ").toLowerCase().replace(/^\w/, (c) => c.toUpperCase());
}

export function visaLabel(v: types.VisaStatus, language: Language): string {
  return (language === "ja" && VISA_JA[v]) || words(types.VisaStatus[v]);
}

export function sswLabel(f: types.SswField, language: Language): string {
  return (language === "ja" && SSW_JA[f]) || words(types.SswField[f]);
}
