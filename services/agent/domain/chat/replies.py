"""Templated replies in English, Japanese, Vietnamese and Indonesian."""

from __future__ import annotations

LANGUAGES = ("en", "ja", "vi", "id")

T: dict[str, dict[str, str]] = {
    "greeting": {
        "en": "Hello! I am the iWORKZ assistant.",
        "ja": "こんにちは！iWORKZのアシスタントです。",
        "vi": "Xin chào! Tôi là trợ lý của iWORKZ.",
        "id": "Halo! Saya asisten iWORKZ.",
    },
    "help": {
        "en": "I can search jobs, check whether you can take a job, show your applications, apply for you "
        "(after you confirm), tell you what your profile lacks and which skills a job needs.",
        "ja": "求人の検索、応募できるかの確認、応募状況の表示、応募の代行（確認のあと）、プロフィールの不足項目、"
        "仕事に必要なスキルをお手伝いできます。",
        "vi": "Tôi có thể tìm việc, kiểm tra bạn có đủ điều kiện không, xem đơn ứng tuyển, ứng tuyển giúp bạn "
        "(sau khi bạn xác nhận), chỉ ra hồ sơ còn thiếu gì và công việc cần kỹ năng gì.",
        "id": "Saya bisa mencari lowongan, mengecek apakah Anda memenuhi syarat, menunjukkan lamaran Anda, melamar "
        "untuk Anda (setelah Anda konfirmasi), memberi tahu kekurangan profil dan keahlian yang dibutuhkan.",
    },
    "unknown": {
        "en": 'Sorry, I did not understand that. Try: "find welding jobs in Osaka" or "show my applications".',
        "ja": "すみません、よく分かりませんでした。"
        "「大阪で溶接の仕事を探して」や「応募状況を教えて」のように聞いてください。",
        "vi": 'Xin lỗi, tôi chưa hiểu. Hãy thử: "tìm việc hàn ở Osaka" hoặc "xem đơn ứng tuyển của tôi".',
        "id": 'Maaf, saya tidak mengerti. Coba: "cari lowongan las di Osaka" atau "tunjukkan lamaran saya".',
    },
    "jobs_found": {
        "en": "I found {n} job(s){where}:",
        "ja": "{where}求人が{n}件見つかりました：",
        "vi": "Tôi tìm thấy {n} việc làm{where}:",
        "id": "Saya menemukan {n} lowongan{where}:",
    },
    "recommended": {
        "en": "The {n} open job(s) that fit you best, with why:",
        "ja": "あなたに合う募集中の求人{n}件と、その理由です：",
        "vi": "{n} việc làm phù hợp nhất với bạn, kèm lý do:",
        "id": "{n} lowongan yang paling cocok untuk Anda, dengan alasannya:",
    },
    "no_recommendations": {
        "en": "No open job fits your profile yet. Completing your profile helps.",
        "ja": "今のところプロフィールに合う募集中の求人はありません。プロフィールを充実させてください。",
        "vi": "Chưa có việc làm nào phù hợp với hồ sơ của bạn. Hãy bổ sung hồ sơ.",
        "id": "Belum ada lowongan yang cocok dengan profil Anda. Lengkapi profil Anda.",
    },
    "match_explained": {
        "en": "How {title} fits you ({percent}% match):",
        "ja": "「{title}」との適合度は{percent}%です：",
        "vi": "Mức phù hợp với {title}: {percent}%:",
        "id": "Kecocokan dengan {title}: {percent}%:",
    },
    "where": {"en": " in {place}", "ja": "{place}で", "vi": " ở {place}", "id": " di {place}"},
    "job_line": {
        "en": "{i}. {title} — {employer}, {place}, {wage}",
        "ja": "{i}. {title} — {employer}、{place}、{wage}",
        "vi": "{i}. {title} — {employer}, {place}, {wage}",
        "id": "{i}. {title} — {employer}, {place}, {wage}",
    },
    "jobs_next": {
        "en": 'Say "job 1" to check it, or "apply to job 1".',
        "ja": "「1番の条件を確認して」「1番に応募して」のように番号で選べます。",
        "vi": 'Hãy nói "việc số 1" để kiểm tra, hoặc "ứng tuyển việc số 1".',
        "id": 'Katakan "pekerjaan nomor 1" untuk mengecek, atau "lamar pekerjaan nomor 1".',
    },
    "no_jobs": {
        "en": "I found no open jobs for that. Try another place or trade.",
        "ja": "条件に合う募集中の求人は見つかりませんでした。場所や職種を変えてみてください。",
        "vi": "Không tìm thấy việc làm phù hợp. Hãy thử nơi khác hoặc ngành khác.",
        "id": "Tidak ada lowongan yang cocok. Coba tempat atau bidang lain.",
    },
    "need_job": {
        "en": 'Which job do you mean? Search first, then name it by its number, e.g. "job 2".',
        "ja": "どの求人ですか？先に検索して、「2番」のように番号で指定してください。",
        "vi": 'Bạn muốn nói việc nào? Hãy tìm việc trước, rồi chọn theo số, ví dụ "việc số 2".',
        "id": 'Pekerjaan yang mana? Cari dulu, lalu sebut nomornya, misalnya "pekerjaan nomor 2".',
    },
    "eligible": {
        "en": 'Yes, you can apply to "{title}".',
        "ja": "「{title}」に応募できます。",
        "vi": 'Có, bạn có thể ứng tuyển "{title}".',
        "id": 'Ya, Anda bisa melamar "{title}".',
    },
    "not_eligible": {
        "en": 'You cannot take "{title}" yet.',
        "ja": "「{title}」には今のところ応募できません。",
        "vi": 'Hiện bạn chưa thể nhận "{title}".',
        "id": 'Anda belum bisa mengambil "{title}".',
    },
    "applications": {
        "en": "You have {n} application(s):",
        "ja": "応募は{n}件です：",
        "vi": "Bạn có {n} đơn ứng tuyển:",
        "id": "Anda punya {n} lamaran:",
    },
    "application_line": {
        "en": "- {title}: {status}",
        "ja": "・{title}：{status}",
        "vi": "- {title}: {status}",
        "id": "- {title}: {status}",
    },
    "no_applications": {
        "en": "You have not applied to any job yet.",
        "ja": "まだ応募はありません。",
        "vi": "Bạn chưa ứng tuyển việc nào.",
        "id": "Anda belum melamar pekerjaan apa pun.",
    },
    "confirm_apply": {
        "en": 'Shall I apply to "{title}" for you? Please answer yes or no.',
        "ja": "「{title}」に応募しますか？「はい」か「いいえ」で答えてください。",
        "vi": 'Tôi ứng tuyển "{title}" cho bạn nhé? Hãy trả lời có hoặc không.',
        "id": 'Apakah saya lamarkan "{title}" untuk Anda? Jawab ya atau tidak.',
    },
    "applied": {
        "en": 'Done: you applied to "{title}". The employer will see your profile.',
        "ja": "「{title}」に応募しました。企業があなたのプロフィールを確認します。",
        "vi": 'Xong: bạn đã ứng tuyển "{title}". Nhà tuyển dụng sẽ xem hồ sơ của bạn.',
        "id": 'Selesai: Anda sudah melamar "{title}". Perusahaan akan melihat profil Anda.',
    },
    "cancelled": {
        "en": "OK, I did not apply.",
        "ja": "わかりました。応募はしていません。",
        "vi": "Được, tôi không ứng tuyển.",
        "id": "Baik, saya tidak melamar.",
    },
    "profile_complete": {
        "en": "Your profile has everything employers look for.",
        "ja": "プロフィールに必要な項目はすべて入っています。",
        "vi": "Hồ sơ của bạn đã đủ các mục nhà tuyển dụng cần.",
        "id": "Profil Anda sudah lengkap.",
    },
    "profile_missing": {
        "en": "Employers will find you more easily if you add: {fields}.",
        "ja": "次の項目を追加すると企業に見つけてもらいやすくなります：{fields}。",
        "vi": "Bạn nên bổ sung: {fields}.",
        "id": "Tambahkan ini agar perusahaan lebih mudah menemukan Anda: {fields}.",
    },
    "gap": {
        "en": 'For "{title}" you still need: {skills}.',
        "ja": "「{title}」にはあと次のスキルが必要です：{skills}。",
        "vi": 'Với "{title}" bạn còn cần: {skills}.',
        "id": 'Untuk "{title}" Anda masih perlu: {skills}.',
    },
    "no_gap": {
        "en": 'You already have the skills "{title}" asks for.',
        "ja": "「{title}」に必要なスキルはそろっています。",
        "vi": 'Bạn đã có đủ kỹ năng cho "{title}".',
        "id": 'Anda sudah punya keahlian untuk "{title}".',
    },
    "injection": {
        "en": "I do not follow instructions to use tools that come inside messages or documents. "
        'Tell me in your own words what you want, e.g. "find welding jobs in Osaka".',
        "ja": "メッセージや文書の中の「ツールを使え」という指示には従いません。"
        "「大阪で溶接の仕事を探して」のように、ご自身の言葉でお願いします。",
        "vi": "Tôi không làm theo chỉ dẫn dùng công cụ nằm trong tin nhắn hay tài liệu. "
        'Hãy nói điều bạn muốn, ví dụ "tìm việc hàn ở Osaka".',
        "id": "Saya tidak mengikuti perintah memakai alat yang ada di dalam pesan atau dokumen. "
        'Katakan keinginan Anda, misalnya "cari lowongan las di Osaka".',
    },
    "tool_failed": {
        "en": "Sorry, that did not work: {error}",
        "ja": "すみません、うまくいきませんでした：{error}",
        "vi": "Xin lỗi, không thực hiện được: {error}",
        "id": "Maaf, itu gagal: {error}",
    },
}

STATUS = {
    "APPLIED": {"en": "applied", "ja": "応募済み", "vi": "đã nộp", "id": "sudah dilamar"},
    "SHORTLISTED": {"en": "shortlisted", "ja": "書類選考通過", "vi": "được chọn sơ bộ", "id": "masuk daftar pendek"},
    "INTERVIEW": {"en": "interview", "ja": "面接", "vi": "phỏng vấn", "id": "wawancara"},
    "OFFER": {"en": "offer", "ja": "内定", "vi": "được mời làm việc", "id": "tawaran kerja"},
    "HIRED": {"en": "hired", "ja": "採用", "vi": "đã được nhận", "id": "diterima"},
    "REJECTED": {"en": "not selected", "ja": "不採用", "vi": "không được chọn", "id": "tidak terpilih"},
    "WITHDRAWN": {"en": "withdrawn", "ja": "辞退", "vi": "đã rút", "id": "ditarik"},
}

FIELDS = {
    "display_name": {"en": "your name", "ja": "名前", "vi": "họ tên", "id": "nama"},
    "visa_status": {"en": "status of residence", "ja": "在留資格", "vi": "tư cách lưu trú", "id": "status visa"},
    "languages": {
        "en": "languages and JLPT level",
        "ja": "語学力（JLPTレベル）",
        "vi": "ngoại ngữ và cấp JLPT",
        "id": "bahasa dan level JLPT",
    },
    "skills": {"en": "skills", "ja": "スキル", "vi": "kỹ năng", "id": "keahlian"},
    "experience": {"en": "work history", "ja": "職歴", "vi": "kinh nghiệm làm việc", "id": "pengalaman kerja"},
    "location": {"en": "where you want to work", "ja": "希望勤務地", "vi": "nơi muốn làm việc", "id": "lokasi kerja"},
    "availability": {
        "en": "when you can start",
        "ja": "勤務開始可能日",
        "vi": "ngày có thể bắt đầu",
        "id": "kapan bisa mulai",
    },
    "desired_wage": {"en": "desired wage", "ja": "希望給与", "vi": "mức lương mong muốn", "id": "gaji yang diharapkan"},
    "phone": {"en": "phone number", "ja": "電話番号", "vi": "số điện thoại", "id": "nomor telepon"},
    "education": {"en": "education", "ja": "学歴", "vi": "học vấn", "id": "pendidikan"},
}


def say(key: str, language: str, **values: object) -> str:
    table = T[key]
    return table.get(language, table["en"]).format(**values)


def reply_language(requested: str, detected: str) -> str:
    """The language to answer in: the one asked for, else the message's, else English."""
    for candidate in (requested, detected):
        if candidate in LANGUAGES:
            return candidate
    return "en"
