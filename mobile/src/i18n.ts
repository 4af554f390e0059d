/**
 * The app's words in Japanese, English, Vietnamese, Indonesian, Tagalog and
 * Nepali. `t(key, values)` looks the key up in the chosen language, then in
 * English; `{name}` placeholders are filled from `values`. The first language
 * is the device's, when it is one of these.
 */
import { getLocales } from "expo-localization";

export const LANGUAGES = ["ja", "en", "vi", "id", "tl", "ne"] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_NAMES: Record<Language, string> = {
  ja: "日本語",
  en: "English",
  vi: "Tiếng Việt",
  id: "Bahasa Indonesia",
  tl: "Tagalog",
  ne: "नेपाली",
};

const en = {
  "app.title": "iWORKZ",
  "nav.jobs": "Jobs",
  "nav.applications": "Applications",
  "nav.inbox": "Inbox",
  "nav.wallet": "Wallet",
  "nav.assistant": "Assistant",
  "nav.profile": "Profile",
  "auth.signup": "Create account",
  "auth.login": "Log in",
  "auth.email": "Email",
  "auth.password": "Password",
  "auth.name": "Your name",
  "auth.toLogin": "I have an account",
  "auth.toSignup": "I am new here",
  "auth.logout": "Log out",
  "onb.title": "About you",
  "onb.step": "Step {n} of {total}",
  "onb.visa": "Status of residence",
  "onb.ssw": "SSW field",
  "onb.jlpt": "Japanese (JLPT)",
  "onb.languages": "Languages you speak",
  "onb.prefecture": "Prefecture where you live",
  "onb.availability": "Availability",
  "onb.hours": "Hours per week",
  "onb.next": "Next",
  "onb.back": "Back",
  "onb.finish": "Save profile",
  "onb.saved": "Profile saved",
  "jobs.recommended": "Recommended for you",
  "jobs.search": "Search",
  "jobs.query": "Search jobs",
  "jobs.prefecture": "Prefecture",
  "jobs.eligibleOnly": "Only jobs I can take",
  "jobs.none": "No jobs found",
  "jobs.offline": "Offline: showing saved jobs",
  "job.eligibility": "Can I apply?",
  "job.eligible": "You meet this job's requirements",
  "job.notEligible": "You do not meet every requirement",
  "job.check.visa": "Status of residence: job accepts {wants}; you have {has}",
  "job.check.ssw": "SSW field: job needs {wants}; yours is {has}",
  "job.check.japanese": "Japanese: job needs {wants} or better; you have {has}",
  "job.check.location": "Location: the job is in {wants}; you live in {has}",
  "job.apply": "Apply",
  "job.applied": "Application sent",
  "job.queued": "Saved: it will be sent when you are online",
  "job.coverLetter": "Message to the employer",
  "job.wage": "Wage",
  "job.back": "Back to jobs",
  "job.reasons": "Why this job",
  "apps.title": "My applications",
  "apps.none": "No applications yet",
  "apps.queued": "Waiting to be sent",
  "apps.live": "Updates arrive live",
  "apps.dismiss": "Dismiss",
  "status.APPLIED": "Applied",
  "status.SHORTLISTED": "Shortlisted",
  "status.INTERVIEW": "Interview",
  "status.OFFER": "Offer",
  "status.HIRED": "Hired",
  "status.REJECTED": "Not selected",
  "status.WITHDRAWN": "Withdrawn",
  "inbox.title": "Inbox",
  "inbox.none": "No notifications",
  "inbox.markRead": "Mark all read",
  "wallet.title": "My credentials",
  "wallet.none": "No credentials yet",
  "wallet.showJlpt": "Show: JLPT N4 or better",
  "wallet.qrHint": "Let the verifier scan this code. It proves only your JLPT level.",
  "wallet.scan": "Scan a verifier's request",
  "wallet.request": "Verifier's request (scanned or pasted)",
  "wallet.share": "Share",
  "wallet.noMatch": "You have no credential that answers this request",
  "assistant.title": "Assistant",
  "assistant.placeholder": "Ask about jobs, visas, applications…",
  "assistant.send": "Send",
  "assistant.confirm": "Yes, do it",
  "resume.title": "Résumé",
  "resume.file": "Choose a file (PDF, Word)",
  "resume.photo": "Take a photo of a document",
  "resume.accept": "Accept",
  "resume.skip": "Skip",
  "resume.none": "Nothing more to review",
  "resume.reading": "Reading your résumé…",
  "profile.language": "App language",
  "common.error": "Something went wrong: {message}",
  "common.offline": "You are offline",
  "common.loading": "Loading…",
  "common.retry": "Try again",
};
export type Key = keyof typeof en;

const ja: Partial<Record<Key, string>> = {
  "nav.jobs": "仕事", "nav.applications": "応募", "nav.inbox": "お知らせ", "nav.wallet": "証明書", "nav.assistant": "アシスタント", "nav.profile": "プロフィール",
  "auth.signup": "アカウント作成", "auth.login": "ログイン", "auth.email": "メールアドレス", "auth.password": "パスワード", "auth.name": "お名前",
  "auth.toLogin": "アカウントをお持ちの方", "auth.toSignup": "はじめての方", "auth.logout": "ログアウト",
  "onb.title": "あなたについて", "onb.step": "ステップ {n} / {total}", "onb.visa": "在留資格", "onb.ssw": "特定技能の分野", "onb.jlpt": "日本語（JLPT）",
  "onb.languages": "話せる言語", "onb.prefecture": "お住まいの都道府県", "onb.availability": "働ける時間", "onb.hours": "週の時間数",
  "onb.next": "次へ", "onb.back": "戻る", "onb.finish": "プロフィールを保存", "onb.saved": "保存しました",
  "jobs.recommended": "あなたへのおすすめ", "jobs.search": "検索", "jobs.query": "仕事を検索", "jobs.prefecture": "都道府県", "jobs.eligibleOnly": "応募できる仕事だけ",
  "jobs.none": "仕事が見つかりません", "jobs.offline": "オフライン：保存した仕事を表示しています",
  "job.eligibility": "応募できますか？", "job.eligible": "この仕事の条件を満たしています", "job.notEligible": "満たしていない条件があります",
  "job.check.visa": "在留資格：対象は {wants}、あなたは {has}", "job.check.ssw": "特定技能分野：必要 {wants}、あなた {has}",
  "job.check.japanese": "日本語：{wants} 以上が必要、あなたは {has}", "job.check.location": "勤務地：{wants}、お住まい：{has}",
  "job.apply": "応募する", "job.applied": "応募しました", "job.queued": "保存しました。オンラインになったら送信します", "job.coverLetter": "採用担当へのメッセージ",
  "job.wage": "給与", "job.back": "仕事一覧へ", "job.reasons": "おすすめの理由",
  "apps.title": "応募一覧", "apps.none": "まだ応募はありません", "apps.queued": "送信待ち", "apps.live": "更新はリアルタイムで届きます", "apps.dismiss": "削除",
  "status.APPLIED": "応募済み", "status.SHORTLISTED": "書類選考通過", "status.INTERVIEW": "面接", "status.OFFER": "内定", "status.HIRED": "採用", "status.REJECTED": "不採用", "status.WITHDRAWN": "辞退",
  "inbox.title": "お知らせ", "inbox.none": "お知らせはありません", "inbox.markRead": "すべて既読にする",
  "wallet.title": "証明書", "wallet.none": "証明書はまだありません", "wallet.showJlpt": "提示：JLPT N4 以上", "wallet.qrHint": "確認者にこのコードを読み取ってもらいます。JLPT のレベルだけを証明します。",
  "wallet.scan": "確認者のリクエストを読み取る", "wallet.request": "確認者のリクエスト（読み取り・貼り付け）", "wallet.share": "提示する", "wallet.noMatch": "このリクエストに合う証明書がありません",
  "assistant.title": "アシスタント", "assistant.placeholder": "仕事・在留資格・応募について質問…", "assistant.send": "送信", "assistant.confirm": "はい、お願いします",
  "resume.title": "履歴書", "resume.file": "ファイルを選ぶ（PDF・Word）", "resume.photo": "書類の写真を撮る", "resume.accept": "採用", "resume.skip": "スキップ", "resume.none": "確認するものはもうありません", "resume.reading": "履歴書を読んでいます…",
  "profile.language": "表示言語", "common.error": "エラー：{message}", "common.offline": "オフラインです", "common.loading": "読み込み中…", "common.retry": "再試行",
};

const vi: Partial<Record<Key, string>> = {
  "nav.jobs": "Việc làm", "nav.applications": "Hồ sơ ứng tuyển", "nav.inbox": "Thông báo", "nav.wallet": "Ví chứng chỉ", "nav.assistant": "Trợ lý", "nav.profile": "Hồ sơ",
  "auth.signup": "Tạo tài khoản", "auth.login": "Đăng nhập", "auth.email": "Email", "auth.password": "Mật khẩu", "auth.name": "Họ tên",
  "auth.toLogin": "Tôi đã có tài khoản", "auth.toSignup": "Tôi là người mới", "auth.logout": "Đăng xuất",
  "onb.title": "Về bạn", "onb.step": "Bước {n}/{total}", "onb.visa": "Tư cách lưu trú", "onb.ssw": "Ngành kỹ năng đặc định", "onb.jlpt": "Tiếng Nhật (JLPT)",
  "onb.languages": "Ngôn ngữ bạn nói", "onb.prefecture": "Tỉnh bạn sống", "onb.availability": "Thời gian làm việc", "onb.hours": "Số giờ mỗi tuần",
  "onb.next": "Tiếp", "onb.back": "Quay lại", "onb.finish": "Lưu hồ sơ", "onb.saved": "Đã lưu hồ sơ",
  "jobs.recommended": "Gợi ý cho bạn", "jobs.search": "Tìm kiếm", "jobs.query": "Tìm việc", "jobs.prefecture": "Tỉnh", "jobs.eligibleOnly": "Chỉ việc tôi đủ điều kiện",
  "jobs.none": "Không tìm thấy việc", "jobs.offline": "Ngoại tuyến: hiển thị việc đã lưu",
  "job.eligibility": "Tôi có thể ứng tuyển không?", "job.eligible": "Bạn đáp ứng yêu cầu của công việc", "job.notEligible": "Bạn chưa đáp ứng mọi yêu cầu",
  "job.check.visa": "Tư cách lưu trú: chấp nhận {wants}; bạn có {has}", "job.check.ssw": "Ngành SSW: cần {wants}; của bạn là {has}",
  "job.check.japanese": "Tiếng Nhật: cần {wants} trở lên; bạn có {has}", "job.check.location": "Địa điểm: {wants}; bạn sống ở {has}",
  "job.apply": "Ứng tuyển", "job.applied": "Đã gửi hồ sơ", "job.queued": "Đã lưu: sẽ gửi khi có mạng", "job.coverLetter": "Lời nhắn cho nhà tuyển dụng",
  "job.wage": "Lương", "job.back": "Về danh sách việc", "job.reasons": "Vì sao gợi ý",
  "apps.title": "Hồ sơ của tôi", "apps.none": "Chưa có hồ sơ", "apps.queued": "Đang chờ gửi", "apps.live": "Cập nhật trực tiếp", "apps.dismiss": "Bỏ",
  "status.APPLIED": "Đã ứng tuyển", "status.SHORTLISTED": "Vào danh sách chọn", "status.INTERVIEW": "Phỏng vấn", "status.OFFER": "Được mời làm", "status.HIRED": "Đã tuyển", "status.REJECTED": "Không được chọn", "status.WITHDRAWN": "Đã rút",
  "inbox.title": "Thông báo", "inbox.none": "Không có thông báo", "inbox.markRead": "Đánh dấu đã đọc",
  "wallet.title": "Chứng chỉ của tôi", "wallet.none": "Chưa có chứng chỉ", "wallet.showJlpt": "Xuất trình: JLPT N4 trở lên", "wallet.qrHint": "Cho người xác minh quét mã này. Chỉ chứng minh trình độ JLPT.",
  "wallet.scan": "Quét yêu cầu xác minh", "wallet.request": "Yêu cầu của người xác minh", "wallet.share": "Chia sẻ", "wallet.noMatch": "Không có chứng chỉ phù hợp",
  "assistant.title": "Trợ lý", "assistant.placeholder": "Hỏi về việc làm, visa, hồ sơ…", "assistant.send": "Gửi", "assistant.confirm": "Vâng, làm đi",
  "resume.title": "Sơ yếu lý lịch", "resume.file": "Chọn tệp (PDF, Word)", "resume.photo": "Chụp ảnh giấy tờ", "resume.accept": "Chấp nhận", "resume.skip": "Bỏ qua", "resume.none": "Không còn gì để xem", "resume.reading": "Đang đọc sơ yếu lý lịch…",
  "profile.language": "Ngôn ngữ ứng dụng", "common.error": "Có lỗi: {message}", "common.offline": "Bạn đang ngoại tuyến", "common.loading": "Đang tải…", "common.retry": "Thử lại",
};

const id: Partial<Record<Key, string>> = {
  "nav.jobs": "Lowongan", "nav.applications": "Lamaran", "nav.inbox": "Kotak masuk", "nav.wallet": "Dompet", "nav.assistant": "Asisten", "nav.profile": "Profil",
  "auth.signup": "Buat akun", "auth.login": "Masuk", "auth.email": "Email", "auth.password": "Kata sandi", "auth.name": "Nama Anda",
  "auth.toLogin": "Saya sudah punya akun", "auth.toSignup": "Saya pengguna baru", "auth.logout": "Keluar",
  "onb.title": "Tentang Anda", "onb.step": "Langkah {n} dari {total}", "onb.visa": "Status izin tinggal", "onb.ssw": "Bidang SSW", "onb.jlpt": "Bahasa Jepang (JLPT)",
  "onb.languages": "Bahasa yang Anda kuasai", "onb.prefecture": "Prefektur tempat tinggal", "onb.availability": "Ketersediaan", "onb.hours": "Jam per minggu",
  "onb.next": "Lanjut", "onb.back": "Kembali", "onb.finish": "Simpan profil", "onb.saved": "Profil disimpan",
  "jobs.recommended": "Rekomendasi untuk Anda", "jobs.search": "Cari", "jobs.query": "Cari lowongan", "jobs.prefecture": "Prefektur", "jobs.eligibleOnly": "Hanya yang bisa saya ambil",
  "jobs.none": "Tidak ada lowongan", "jobs.offline": "Luring: menampilkan lowongan tersimpan",
  "job.eligibility": "Bisakah saya melamar?", "job.eligible": "Anda memenuhi syarat pekerjaan ini", "job.notEligible": "Ada syarat yang belum terpenuhi",
  "job.check.visa": "Izin tinggal: diterima {wants}; Anda {has}", "job.check.ssw": "Bidang SSW: perlu {wants}; Anda {has}",
  "job.check.japanese": "Bahasa Jepang: perlu {wants} atau lebih; Anda {has}", "job.check.location": "Lokasi: {wants}; Anda tinggal di {has}",
  "job.apply": "Lamar", "job.applied": "Lamaran terkirim", "job.queued": "Disimpan: akan dikirim saat online", "job.coverLetter": "Pesan untuk pemberi kerja",
  "job.wage": "Gaji", "job.back": "Kembali ke lowongan", "job.reasons": "Mengapa lowongan ini",
  "apps.title": "Lamaran saya", "apps.none": "Belum ada lamaran", "apps.queued": "Menunggu dikirim", "apps.live": "Pembaruan datang langsung", "apps.dismiss": "Hapus",
  "status.APPLIED": "Dilamar", "status.SHORTLISTED": "Masuk seleksi", "status.INTERVIEW": "Wawancara", "status.OFFER": "Tawaran", "status.HIRED": "Diterima", "status.REJECTED": "Tidak terpilih", "status.WITHDRAWN": "Ditarik",
  "inbox.title": "Kotak masuk", "inbox.none": "Tidak ada notifikasi", "inbox.markRead": "Tandai semua dibaca",
  "wallet.title": "Kredensial saya", "wallet.none": "Belum ada kredensial", "wallet.showJlpt": "Tunjukkan: JLPT N4 atau lebih", "wallet.qrHint": "Biarkan verifikator memindai kode ini. Hanya membuktikan level JLPT Anda.",
  "wallet.scan": "Pindai permintaan verifikator", "wallet.request": "Permintaan verifikator", "wallet.share": "Bagikan", "wallet.noMatch": "Tidak ada kredensial yang cocok",
  "assistant.title": "Asisten", "assistant.placeholder": "Tanya soal lowongan, visa, lamaran…", "assistant.send": "Kirim", "assistant.confirm": "Ya, lakukan",
  "resume.title": "CV", "resume.file": "Pilih file (PDF, Word)", "resume.photo": "Foto dokumen", "resume.accept": "Terima", "resume.skip": "Lewati", "resume.none": "Tidak ada lagi yang perlu ditinjau", "resume.reading": "Membaca CV Anda…",
  "profile.language": "Bahasa aplikasi", "common.error": "Terjadi kesalahan: {message}", "common.offline": "Anda sedang luring", "common.loading": "Memuat…", "common.retry": "Coba lagi",
};

const tl: Partial<Record<Key, string>> = {
  "nav.jobs": "Trabaho", "nav.applications": "Mga aplikasyon", "nav.inbox": "Inbox", "nav.wallet": "Wallet", "nav.assistant": "Katulong", "nav.profile": "Profile",
  "auth.signup": "Gumawa ng account", "auth.login": "Mag-log in", "auth.email": "Email", "auth.password": "Password", "auth.name": "Pangalan mo",
  "auth.toLogin": "May account na ako", "auth.toSignup": "Bago ako rito", "auth.logout": "Mag-log out",
  "onb.title": "Tungkol sa iyo", "onb.step": "Hakbang {n} ng {total}", "onb.visa": "Status of residence", "onb.ssw": "Larangan ng SSW", "onb.jlpt": "Hapon (JLPT)",
  "onb.languages": "Mga wikang alam mo", "onb.prefecture": "Prefecture kung saan ka nakatira", "onb.availability": "Availability", "onb.hours": "Oras bawat linggo",
  "onb.next": "Susunod", "onb.back": "Bumalik", "onb.finish": "I-save ang profile", "onb.saved": "Na-save ang profile",
  "jobs.recommended": "Inirerekomenda para sa iyo", "jobs.search": "Maghanap", "jobs.query": "Maghanap ng trabaho", "jobs.prefecture": "Prefecture", "jobs.eligibleOnly": "Mga trabahong puwede ako lang",
  "jobs.none": "Walang nahanap na trabaho", "jobs.offline": "Offline: mga naka-save na trabaho",
  "job.eligibility": "Puwede ba akong mag-apply?", "job.eligible": "Pasok ka sa mga kailangan ng trabahong ito", "job.notEligible": "May kailangang hindi mo pa natutugunan",
  "job.check.visa": "Status of residence: tinatanggap {wants}; ikaw ay {has}", "job.check.ssw": "SSW: kailangan {wants}; ikaw ay {has}",
  "job.check.japanese": "Hapon: kailangan {wants} o mas mataas; ikaw ay {has}", "job.check.location": "Lokasyon: {wants}; nakatira ka sa {has}",
  "job.apply": "Mag-apply", "job.applied": "Naipadala ang aplikasyon", "job.queued": "Na-save: ipapadala kapag online ka na", "job.coverLetter": "Mensahe sa employer",
  "job.wage": "Sahod", "job.back": "Bumalik sa mga trabaho", "job.reasons": "Bakit ang trabahong ito",
  "apps.title": "Aking mga aplikasyon", "apps.none": "Wala pang aplikasyon", "apps.queued": "Naghihintay maipadala", "apps.live": "Live na dumarating ang updates", "apps.dismiss": "Alisin",
  "status.APPLIED": "Nag-apply", "status.SHORTLISTED": "Na-shortlist", "status.INTERVIEW": "Interview", "status.OFFER": "Alok", "status.HIRED": "Natanggap", "status.REJECTED": "Hindi napili", "status.WITHDRAWN": "Binawi",
  "inbox.title": "Inbox", "inbox.none": "Walang abiso", "inbox.markRead": "Markahang nabasa lahat",
  "wallet.title": "Aking mga credential", "wallet.none": "Wala pang credential", "wallet.showJlpt": "Ipakita: JLPT N4 o mas mataas", "wallet.qrHint": "Ipa-scan sa verifier ang code na ito. JLPT level mo lang ang pinapatunayan.",
  "wallet.scan": "I-scan ang request ng verifier", "wallet.request": "Request ng verifier", "wallet.share": "Ibahagi", "wallet.noMatch": "Walang credential na tugma",
  "assistant.title": "Katulong", "assistant.placeholder": "Magtanong tungkol sa trabaho, visa, aplikasyon…", "assistant.send": "Ipadala", "assistant.confirm": "Oo, gawin",
  "resume.title": "Résumé", "resume.file": "Pumili ng file (PDF, Word)", "resume.photo": "Kunan ng litrato ang dokumento", "resume.accept": "Tanggapin", "resume.skip": "Laktawan", "resume.none": "Wala nang kailangang suriin", "resume.reading": "Binabasa ang résumé mo…",
  "profile.language": "Wika ng app", "common.error": "May mali: {message}", "common.offline": "Offline ka", "common.loading": "Naglo-load…", "common.retry": "Subukan ulit",
};

const ne: Partial<Record<Key, string>> = {
  "nav.jobs": "कामहरू", "nav.applications": "आवेदनहरू", "nav.inbox": "सूचनाहरू", "nav.wallet": "वालेट", "nav.assistant": "सहायक", "nav.profile": "प्रोफाइल",
  "auth.signup": "खाता बनाउनुहोस्", "auth.login": "लग इन", "auth.email": "इमेल", "auth.password": "पासवर्ड", "auth.name": "तपाईंको नाम",
  "auth.toLogin": "मेरो खाता छ", "auth.toSignup": "म नयाँ हुँ", "auth.logout": "लग आउट",
  "onb.title": "तपाईंको बारेमा", "onb.step": "चरण {n} / {total}", "onb.visa": "बसोबास स्थिति", "onb.ssw": "SSW क्षेत्र", "onb.jlpt": "जापानी (JLPT)",
  "onb.languages": "तपाईं बोल्ने भाषाहरू", "onb.prefecture": "बसोबास गर्ने प्रिफेक्चर", "onb.availability": "उपलब्धता", "onb.hours": "हप्ताको घण्टा",
  "onb.next": "अर्को", "onb.back": "पछाडि", "onb.finish": "प्रोफाइल सुरक्षित गर्नुहोस्", "onb.saved": "प्रोफाइल सुरक्षित भयो",
  "jobs.recommended": "तपाईंका लागि सिफारिस", "jobs.search": "खोज", "jobs.query": "काम खोज्नुहोस्", "jobs.prefecture": "प्रिफेक्चर", "jobs.eligibleOnly": "मैले गर्न सक्ने काम मात्र",
  "jobs.none": "काम भेटिएन", "jobs.offline": "अफलाइन: सुरक्षित कामहरू देखाउँदै",
  "job.eligibility": "के म आवेदन दिन सक्छु?", "job.eligible": "तपाईं यो कामका सर्तहरू पूरा गर्नुहुन्छ", "job.notEligible": "केही सर्त पूरा भएका छैनन्",
  "job.check.visa": "बसोबास स्थिति: {wants} स्वीकार्य; तपाईंको {has}", "job.check.ssw": "SSW क्षेत्र: {wants} चाहिन्छ; तपाईंको {has}",
  "job.check.japanese": "जापानी: {wants} वा माथि चाहिन्छ; तपाईंको {has}", "job.check.location": "स्थान: {wants}; तपाईं {has} मा बस्नुहुन्छ",
  "job.apply": "आवेदन दिनुहोस्", "job.applied": "आवेदन पठाइयो", "job.queued": "सुरक्षित: अनलाइन हुँदा पठाइनेछ", "job.coverLetter": "रोजगारदातालाई सन्देश",
  "job.wage": "तलब", "job.back": "कामहरूमा फर्कनुहोस्", "job.reasons": "किन यो काम",
  "apps.title": "मेरा आवेदनहरू", "apps.none": "अहिलेसम्म आवेदन छैन", "apps.queued": "पठाउन बाँकी", "apps.live": "अपडेटहरू तुरुन्तै आउँछन्", "apps.dismiss": "हटाउनुहोस्",
  "status.APPLIED": "आवेदन दिइयो", "status.SHORTLISTED": "छनोटमा परेको", "status.INTERVIEW": "अन्तर्वार्ता", "status.OFFER": "प्रस्ताव", "status.HIRED": "नियुक्त", "status.REJECTED": "छनोट भएन", "status.WITHDRAWN": "फिर्ता लिइयो",
  "inbox.title": "सूचनाहरू", "inbox.none": "कुनै सूचना छैन", "inbox.markRead": "सबै पढिएको चिन्ह लगाउनुहोस्",
  "wallet.title": "मेरा प्रमाणपत्रहरू", "wallet.none": "अहिलेसम्म प्रमाणपत्र छैन", "wallet.showJlpt": "देखाउनुहोस्: JLPT N4 वा माथि", "wallet.qrHint": "प्रमाणकर्तालाई यो कोड स्क्यान गर्न दिनुहोस्। यसले तपाईंको JLPT स्तर मात्र प्रमाणित गर्छ।",
  "wallet.scan": "प्रमाणकर्ताको अनुरोध स्क्यान गर्नुहोस्", "wallet.request": "प्रमाणकर्ताको अनुरोध", "wallet.share": "साझा गर्नुहोस्", "wallet.noMatch": "मिल्ने प्रमाणपत्र छैन",
  "assistant.title": "सहायक", "assistant.placeholder": "काम, भिसा, आवेदनबारे सोध्नुहोस्…", "assistant.send": "पठाउनुहोस्", "assistant.confirm": "हो, गर्नुहोस्",
  "resume.title": "बायोडाटा", "resume.file": "फाइल छान्नुहोस् (PDF, Word)", "resume.photo": "कागजातको फोटो खिच्नुहोस्", "resume.accept": "स्वीकार", "resume.skip": "छोड्नुहोस्", "resume.none": "हेर्न बाँकी केही छैन", "resume.reading": "बायोडाटा पढ्दै…",
  "profile.language": "एपको भाषा", "common.error": "त्रुटि: {message}", "common.offline": "तपाईं अफलाइन हुनुहुन्छ", "common.loading": "लोड हुँदै…", "common.retry": "फेरि प्रयास गर्नुहोस्",
};

export const DICTIONARIES: Record<Language, Partial<Record<Key, string>>> = { en, ja, vi, id, tl, ne };

export function deviceLanguage(): Language {
  try {
    for (const locale of getLocales()) {
      const code = locale.languageCode as Language;
      if (code === ("fil" as Language)) return "tl";
      if (LANGUAGES.includes(code)) return code;
    }
  } catch {
    // no locale information (tests, some browsers)
  }
  return "en";
}

export function translate(language: Language, key: Key, values: Record<string, string | number> = {}): string {
  const text = DICTIONARIES[language][key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ""));
}
