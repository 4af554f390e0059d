// Names of the contracts' enum values for people, in the four languages of the worker's pages.
// The values themselves come from the generated API (`.api/schema.ts`).
import type { Locale } from "./locales";

type Names = Record<string, [en: string, ja: string, vi: string, id: string]>;

const VISA: Names = {
  VISA_STATUS_JAPANESE_NATIONAL: ["Japanese national", "日本国籍", "Quốc tịch Nhật", "Warga negara Jepang"],
  VISA_STATUS_PERMANENT_RESIDENT: ["Permanent resident", "永住者", "Thường trú nhân", "Penduduk tetap"],
  VISA_STATUS_SPOUSE_OR_CHILD: ["Spouse or child of a Japanese national", "日本人の配偶者等", "Vợ/chồng hoặc con của người Nhật", "Pasangan atau anak WNI Jepang"],
  VISA_STATUS_LONG_TERM_RESIDENT: ["Long-term resident", "定住者", "Người định cư dài hạn", "Penduduk jangka panjang"],
  VISA_STATUS_SSW_1: ["Specified Skilled Worker (i)", "特定技能1号", "Kỹ năng đặc định số 1", "Pekerja Berketerampilan Spesifik (i)"],
  VISA_STATUS_SSW_2: ["Specified Skilled Worker (ii)", "特定技能2号", "Kỹ năng đặc định số 2", "Pekerja Berketerampilan Spesifik (ii)"],
  VISA_STATUS_TECHNICAL_INTERN: ["Technical intern", "技能実習", "Thực tập sinh kỹ năng", "Pemagang teknis"],
  VISA_STATUS_ENGINEER_SPECIALIST: ["Engineer / Specialist in Humanities", "技術・人文知識・国際業務", "Kỹ sư / Chuyên gia nhân văn", "Insinyur / Spesialis humaniora"],
  VISA_STATUS_STUDENT: ["Student", "留学", "Du học sinh", "Pelajar"],
  VISA_STATUS_NEEDS_SPONSORSHIP: ["Needs visa sponsorship", "ビザのスポンサーが必要", "Cần bảo lãnh visa", "Perlu sponsor visa"],
  VISA_STATUS_DEPENDENT: ["Dependent", "家族滞在", "Người phụ thuộc", "Tanggungan keluarga"],
  VISA_STATUS_DESIGNATED_ACTIVITIES: ["Designated activities", "特定活動", "Hoạt động đặc định", "Kegiatan yang ditentukan"],
  VISA_STATUS_NURSING_CARE: ["Nursing care", "介護", "Điều dưỡng", "Perawatan lansia"],
  VISA_STATUS_HIGHLY_SKILLED_PROFESSIONAL: ["Highly skilled professional", "高度専門職", "Chuyên gia tay nghề cao", "Profesional berketerampilan tinggi"],
  VISA_STATUS_SKILL_DEVELOPMENT: ["Employment for skill development", "育成就労", "Lao động phát triển kỹ năng", "Kerja pengembangan keterampilan"],
};

const SSW: Names = {
  SSW_FIELD_NURSING_CARE: ["Nursing care", "介護", "Điều dưỡng", "Perawatan lansia"],
  SSW_FIELD_BUILDING_CLEANING: ["Building cleaning", "ビルクリーニング", "Vệ sinh tòa nhà", "Kebersihan gedung"],
  SSW_FIELD_MANUFACTURING: ["Manufacturing", "工業製品製造業", "Sản xuất công nghiệp", "Manufaktur"],
  SSW_FIELD_CONSTRUCTION: ["Construction", "建設", "Xây dựng", "Konstruksi"],
  SSW_FIELD_SHIPBUILDING: ["Shipbuilding", "造船・舶用工業", "Đóng tàu", "Pembuatan kapal"],
  SSW_FIELD_AUTOMOBILE_MAINTENANCE: ["Automobile maintenance", "自動車整備", "Bảo dưỡng ô tô", "Perawatan mobil"],
  SSW_FIELD_AVIATION: ["Aviation", "航空", "Hàng không", "Penerbangan"],
  SSW_FIELD_ACCOMMODATION: ["Accommodation", "宿泊", "Lưu trú khách sạn", "Akomodasi"],
  SSW_FIELD_AGRICULTURE: ["Agriculture", "農業", "Nông nghiệp", "Pertanian"],
  SSW_FIELD_FISHERY: ["Fishery", "漁業", "Ngư nghiệp", "Perikanan"],
  SSW_FIELD_FOOD_MANUFACTURING: ["Food and beverage manufacturing", "飲食料品製造業", "Chế biến thực phẩm", "Manufaktur makanan"],
  SSW_FIELD_FOOD_SERVICE: ["Food service", "外食業", "Dịch vụ ăn uống", "Layanan makanan"],
  SSW_FIELD_TRANSPORTATION: ["Automobile transportation", "自動車運送業", "Vận tải ô tô", "Transportasi"],
  SSW_FIELD_RAILWAY: ["Railway", "鉄道", "Đường sắt", "Perkeretaapian"],
  SSW_FIELD_FORESTRY: ["Forestry", "林業", "Lâm nghiệp", "Kehutanan"],
  SSW_FIELD_WOOD_INDUSTRY: ["Wood industry", "木材産業", "Công nghiệp gỗ", "Industri kayu"],
};

const JLPT: Names = {
  JAPANESE_LEVEL_NONE: ["None", "なし", "Không có", "Tidak ada"],
  JAPANESE_LEVEL_N5: ["N5", "N5", "N5", "N5"],
  JAPANESE_LEVEL_N4: ["N4", "N4", "N4", "N4"],
  JAPANESE_LEVEL_N3: ["N3", "N3", "N3", "N3"],
  JAPANESE_LEVEL_N2: ["N2", "N2", "N2", "N2"],
  JAPANESE_LEVEL_N1: ["N1", "N1", "N1", "N1"],
  JAPANESE_LEVEL_NATIVE: ["Native", "ネイティブ", "Bản ngữ", "Penutur asli"],
};

const CREDENTIAL_STATE: Names = {
  CREDENTIAL_STATE_ACTIVE: ["Valid", "有効", "Còn hiệu lực", "Berlaku"],
  CREDENTIAL_STATE_SUSPENDED: ["Suspended", "一時停止", "Tạm đình chỉ", "Ditangguhkan"],
  CREDENTIAL_STATE_REVOKED: ["Revoked", "失効", "Đã thu hồi", "Dicabut"],
};

const INDEX: Record<Locale, number> = { en: 0, ja: 1, vi: 2, id: 3 };
const TABLES = { visa: VISA, ssw: SSW, jlpt: JLPT, credentialState: CREDENTIAL_STATE };
export type EnumKind = keyof typeof TABLES;

/** A person's name of an enum value (`visa`, `VISA_STATUS_SSW_1`, `ja`) -> 特定技能1号. */
export function enumName(kind: EnumKind, value: string | undefined, locale: Locale): string {
  const row = value ? TABLES[kind][value] : undefined;
  return row ? row[INDEX[locale]] : (value ?? "");
}

/** The values of a kind with names, for a select (UNSPECIFIED left out). */
export function enumOptions(kind: EnumKind, locale: Locale): { value: string; label: string }[] {
  return Object.entries(TABLES[kind]).map(([value, row]) => ({ value, label: row[INDEX[locale]] }));
}
