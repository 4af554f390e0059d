/** Japan's prefectures by ISO 3166-2 code, as the platform stores them (`JP-27`). */
export const PREFECTURES: [string, string][] = [
  "Hokkaido", "Aomori", "Iwate", "Miyagi", "Akita", "Yamagata", "Fukushima", "Ibaraki", "Tochigi", "Gunma",
  "Saitama", "Chiba", "Tokyo", "Kanagawa", "Niigata", "Toyama", "Ishikawa", "Fukui", "Yamanashi", "Nagano",
  "Gifu", "Shizuoka", "Aichi", "Mie", "Shiga", "Kyoto", "Osaka", "Hyogo", "Nara", "Wakayama",
  "Tottori", "Shimane", "Okayama", "Hiroshima", "Yamaguchi", "Tokushima", "Kagawa", "Ehime", "Kochi", "Fukuoka",
  "Saga", "Nagasaki", "Kumamoto", "Oita", "Miyazaki", "Kagoshima", "Okinawa",
].map((name, i) => [`JP-${String(i + 1).padStart(2, "0")}`, name]);

export function prefectureName(code: string): string {
  return PREFECTURES.find(([c]) => c === code)?.[1] ?? code;
}
