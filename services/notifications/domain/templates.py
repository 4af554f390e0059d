"""What notifications say, in English and Japanese.

Every text lives here, once per language, keyed by a template name; the
language is the user's chosen notification language, else their account
locale, else English. Plain Python: no gRPC, database or Redis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from iworkz.marketplace.v1 import marketplace_pb2 as mp

LANGUAGES = ("en", "ja")
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Message:
    """A rendered notification."""

    title: str
    body: str
    language: str


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    language: str


def language_for(preferred: str, locale: str) -> str:
    """`preferred` if set, else the locale's language if we write it (`ja-JP` → `ja`), else English."""
    for candidate in (preferred, locale):
        language = (candidate or "").split("-")[0].lower()
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


_STATUS = {
    "en": {
        mp.APPLICATION_STATUS_APPLIED: "applied",
        mp.APPLICATION_STATUS_SHORTLISTED: "shortlisted",
        mp.APPLICATION_STATUS_INTERVIEW: "interview",
        mp.APPLICATION_STATUS_OFFER: "offer",
        mp.APPLICATION_STATUS_HIRED: "hired",
        mp.APPLICATION_STATUS_REJECTED: "not selected",
        mp.APPLICATION_STATUS_WITHDRAWN: "withdrawn",
    },
    "ja": {
        mp.APPLICATION_STATUS_APPLIED: "応募済み",
        mp.APPLICATION_STATUS_SHORTLISTED: "書類選考通過",
        mp.APPLICATION_STATUS_INTERVIEW: "面接",
        mp.APPLICATION_STATUS_OFFER: "内定",
        mp.APPLICATION_STATUS_HIRED: "採用",
        mp.APPLICATION_STATUS_REJECTED: "不採用",
        mp.APPLICATION_STATUS_WITHDRAWN: "辞退",
    },
}

# template name -> language -> (title, body); `{name}` placeholders come from the event.
TEMPLATES: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "match.new": {
        "en": (
            "A strong match for you: {job}",
            "{employer} is hiring for {job}, and it fits your profile well ({percent}% match). See why, and apply.",
        ),
        "ja": (
            "あなたに合う求人があります：{job}",
            "{employer}の「{job}」があなたのプロフィールによく合っています（適合度{percent}%）。理由を確認して応募できます。",
        ),
    },
    "application.shortlisted": {
        "en": (
            "You're on the shortlist for {job}",
            "Your application for {job} was shortlisted. The employer may contact you about the next steps.",
        ),
        "ja": (
            "「{job}」の書類選考を通過しました",
            "「{job}」へのご応募が書類選考を通過しました。今後の流れについて企業から連絡がある場合があります。",
        ),
    },
    "application.interview": {
        "en": (
            "Interview invitation: {job}",
            "The employer would like to interview you for {job}. Open your application for the details.",
        ),
        "ja": (
            "面接のご案内：「{job}」",
            "「{job}」について、企業が面接を希望しています。詳細は応募ページをご確認ください。",
        ),
    },
    "application.offer": {
        "en": ("Job offer: {job}", "Congratulations! You have received an offer for {job}."),
        "ja": ("内定のお知らせ：「{job}」", "おめでとうございます！「{job}」の内定が出ました。"),
    },
    "application.hired": {
        "en": ("You're hired: {job}", "Congratulations! You have been hired for {job}."),
        "ja": ("採用決定：「{job}」", "おめでとうございます！「{job}」での採用が決まりました。"),
    },
    "application.rejected": {
        "en": (
            "Update on your application for {job}",
            "Your application for {job} was not selected this time. New jobs are posted every day.",
        ),
        "ja": (
            "「{job}」の選考結果について",
            "残念ながら、今回は「{job}」の採用は見送りとなりました。新しい求人は毎日掲載されています。",
        ),
    },
    "application.status": {  # any other status
        "en": ("Your application for {job}: {status}", "Your application for {job} is now: {status}."),
        "ja": ("「{job}」の応募状況：{status}", "「{job}」へのご応募の状況が「{status}」になりました。"),
    },
    "employer.application_submitted": {
        "en": ("New application: {job}", "{worker} applied for {job}."),
        "ja": ("新しい応募：「{job}」", "{worker}さんが「{job}」に応募しました。"),
    },
    "employer.application_withdrawn": {
        "en": ("Application withdrawn: {job}", "{worker} withdrew their application for {job}."),
        "ja": ("応募の辞退：「{job}」", "{worker}さんが「{job}」への応募を辞退しました。"),
    },
    "credential.issued": {
        "en": ("New credential: {credential}", "{issuer} issued you a {credential}. It is in your wallet now."),
        "ja": ("新しい証明書：{credential}", "{issuer}から{credential}が発行されました。ウォレットで確認できます。"),
    },
    "credential.suspended": {
        "en": ("Credential suspended: {credential}", "{issuer} suspended your {credential}{because}."),
        "ja": ("証明書の一時停止：{credential}", "{issuer}があなたの{credential}を一時停止しました{because}。"),
    },
    "credential.unsuspended": {
        "en": ("Credential valid again: {credential}", "{issuer} lifted the suspension of your {credential}."),
        "ja": ("証明書の停止解除：{credential}", "{issuer}があなたの{credential}の一時停止を解除しました。"),
    },
    "credential.revoked": {
        "en": ("Credential revoked: {credential}", "{issuer} revoked your {credential}{because}."),
        "ja": ("証明書の取り消し：{credential}", "{issuer}があなたの{credential}を取り消しました{because}。"),
    },
    "security.refresh_token_reuse": {
        "en": (
            "Security alert: we signed out a session",
            "A sign-in token of your account was used a second time{from_address}, which happens when a "
            "token is stolen. We signed out that session to protect you. If this wasn't you, change your "
            "password now.",
        ),
        "ja": (
            "セキュリティ警告：セッションをログアウトしました",
            "お客様のアカウントのログイン用トークンが2回使用されました{from_address}。トークンが盗まれた可能性が"
            "あるため、安全のためそのセッションをログアウトしました。心当たりがない場合は、すぐにパスワードを"
            "変更してください。",
        ),
    },
    "security.password_changed": {
        "en": (
            "Your password was changed",
            "The password of your iWORKZ account was changed{from_address} and every device was signed out. "
            "If this wasn't you, reset your password now and contact support.",
        ),
        "ja": (
            "パスワードが変更されました",
            "iWORKZアカウントのパスワードが変更され{from_address}、すべての端末からログアウトしました。"
            "心当たりがない場合は、すぐにパスワードを再設定し、サポートにご連絡ください。",
        ),
    },
    # Account emails (email only, see routing.Draft.email_only): the link holds the token.
    "account.verify_email": {
        "en": (
            "Confirm your email address",
            "Welcome to iWORKZ! Please confirm that this is your email address by opening this link within 24 hours:",
        ),
        "ja": (
            "メールアドレスの確認",
            "iWORKZへようこそ！24時間以内に次のリンクを開いて、このメールアドレスがお客様のものであることを確認してください：",
        ),
    },
    "account.password_reset": {
        "en": (
            "Reset your password",
            "Someone asked to reset the password of your iWORKZ account. To choose a new password, open this "
            "link within 30 minutes. It works once. If it wasn't you, ignore this email: your password stays "
            "as it is.",
        ),
        "ja": (
            "パスワードの再設定",
            "iWORKZアカウントのパスワード再設定のご依頼を受け付けました。30分以内に次のリンクを開いて、新しい"
            "パスワードを設定してください（1回のみ有効）。お心当たりがない場合は、このメールを無視してください。"
            "パスワードは変更されません。",
        ),
    },
}

_FROM_ADDRESS = {"en": " (from {address})", "ja": "（接続元：{address}）"}
_BECAUSE = {"en": ": {reason}", "ja": "（理由：{reason}）"}
_CREDENTIAL_TYPES = {
    "en": {
        "JlptResultCredential": "JLPT result",
        "SswSkillsTestCredential": "SSW skills test result",
        "CareWorkerTestCredential": "care-worker test result",
        "LicenceCredential": "licence",
        "EmploymentReferenceCredential": "employment reference",
        "TrainingCompletionCredential": "training certificate",
    },
    "ja": {
        "JlptResultCredential": "日本語能力試験の結果",
        "SswSkillsTestCredential": "特定技能評価試験の結果",
        "CareWorkerTestCredential": "介護技能評価試験の結果",
        "LicenceCredential": "免許",
        "EmploymentReferenceCredential": "在職証明",
        "TrainingCompletionCredential": "研修修了証",
    },
}
_ISSUER = {"en": "An issuer", "ja": "発行者"}
_UNNAMED = {"en": "A worker", "ja": "応募者"}
_UNTITLED = {"en": "a job", "ja": "求人"}

_EMAIL = {
    "en": (
        "[iWORKZ] {title}",
        "Hello {name},\n\n{body}\n\nOpen iWORKZ: {url}\n\n-- \niWORKZ\n"
        "You get this email because email is on for this kind of notification. "
        "Change it in your notification settings: {settings_url}\n",
    ),
    "ja": (
        "【iWORKZ】{title}",
        "{name}様\n\n{body}\n\niWORKZで確認する：{url}\n\n-- \niWORKZ\n"
        "このメールは、この種類のお知らせのメール通知をオンにしているためお送りしています。"
        "通知設定で変更できます：{settings_url}\n",
    ),
}
_ACCOUNT_EMAIL = {
    "en": "Hello {name},\n\n{body}\n\n{url}\n\n-- \niWORKZ\nThis email is about your account's security; it is sent "
    "whatever your notification settings say.\n",
    "ja": "{name}様\n\n{body}\n\n{url}\n\n-- \niWORKZ\nこのメールはアカウントの安全に関するもので、通知設定にかかわらず"
    "お送りしています。\n",
}
_DEAR = {"en": "there", "ja": "ユーザー"}
SETTINGS_PATH = "/settings/notifications"


def status_name(status: int, language: str) -> str:
    return _STATUS[language].get(status, str(status))


def render(template: str, language: str, params: Mapping[str, str]) -> Message:
    """The notification `template` in `language` (English if not written in it)."""
    texts = TEMPLATES[template]
    language = language if language in texts else DEFAULT_LANGUAGE
    values = dict(params)
    values["job"] = values.get("job") or _UNTITLED[language]
    values["worker"] = values.get("worker") or _UNNAMED[language]
    if "status_code" in values:
        values["status"] = status_name(int(values["status_code"]), language)
    address = values.get("address", "")
    values["from_address"] = _FROM_ADDRESS[language].format(address=address) if address else ""
    kind = values.get("credential_type", "")
    values["credential"] = _CREDENTIAL_TYPES[language].get(kind, kind)
    values["issuer"] = values.get("issuer") or _ISSUER[language]
    reason = values.get("reason", "")
    values["because"] = _BECAUSE[language].format(reason=reason) if reason else ""
    title, body = texts[language]
    return Message(title.format(**values), body.format(**values), language)


def account_email(message: Message, display_name: str, url: str) -> Email:
    """An account email (verification, reset): the message and its link, with no settings footer."""
    subject, _ = _EMAIL[message.language]
    name = display_name or _DEAR[message.language]
    text = _ACCOUNT_EMAIL[message.language].format(name=name, body=message.body, url=url)
    return Email(subject.format(title=message.title), text, message.language)


def email(message: Message, display_name: str, url: str, settings_url: str) -> Email:
    """The email for a notification, in the notification's language."""
    subject, text = _EMAIL[message.language]
    name = display_name or _DEAR[message.language]
    return Email(
        subject.format(title=message.title),
        text.format(name=name, body=message.body, url=url, settings_url=settings_url),
        message.language,
    )
