"""The notifications domain without a network: languages, texts, who is told what, preferences."""

from __future__ import annotations

import pytest

from iworkz.identity.v1 import events_pb2 as identity_events
from iworkz.marketplace.v1 import events_pb2 as market_events
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from services.notifications.domain import preferences, routing, templates
from services.runtime.errors import InvalidArgument

WORKER, EMPLOYER, ORG = (
    "11111111-1111-1111-1111-111111111111",
    "22222222-2222-2222-2222-222222222222",
    "33333333-3333-3333-3333-333333333333",
)
APPLICATION = mp.Application(
    name=f"employers/{ORG}/jobs/j1/applications/a1",
    worker=f"workers/{WORKER}",
    job=f"employers/{ORG}/jobs/j1",
    job_title="Welder",
    worker_display_name="An",
)


@pytest.mark.parametrize(
    "preferred, locale, expected",
    [
        ("", "ja", "ja"),
        ("", "ja-JP", "ja"),
        ("", "en-GB", "en"),
        ("", "vi", "en"),
        ("", "", "en"),
        ("ja", "en", "ja"),
        ("en", "ja", "en"),
        ("fr", "ja", "ja"),
    ],
)
def test_language_is_the_preference_then_the_locale_then_english(preferred, locale, expected):
    assert templates.language_for(preferred, locale) == expected


def test_every_template_is_written_in_english_and_japanese_with_the_same_placeholders():
    import string

    for name, texts in templates.TEMPLATES.items():
        assert set(texts) == set(templates.LANGUAGES), name
        fields = {
            lang: {f for part in texts[lang] for _, f, _, _ in string.Formatter().parse(part) if f} for lang in texts
        }
        assert fields["en"] == fields["ja"], name


@pytest.mark.parametrize(
    "status, en, ja",
    [
        (mp.APPLICATION_STATUS_SHORTLISTED, "You're on the shortlist for Welder", "「Welder」の書類選考を通過しました"),
        (mp.APPLICATION_STATUS_INTERVIEW, "Interview invitation: Welder", "面接のご案内：「Welder」"),
        (mp.APPLICATION_STATUS_OFFER, "Job offer: Welder", "内定のお知らせ：「Welder」"),
        (mp.APPLICATION_STATUS_HIRED, "You're hired: Welder", "採用決定：「Welder」"),
        (mp.APPLICATION_STATUS_REJECTED, "Update on your application for Welder", "「Welder」の選考結果について"),
    ],
)
def test_the_worker_is_told_of_each_move_in_their_language(status, en, ja):
    [draft] = routing.application_status_changed(
        market_events.ApplicationStatusChanged(
            application=APPLICATION, employer=f"employers/{ORG}", to_status=status, actor=f"users/{EMPLOYER}"
        )
    )
    assert (draft.user_id, draft.organization_id, draft.category) == (WORKER, "", preferences.APPLICATION_STATUS)
    assert draft.link == "/" + APPLICATION.name
    assert draft.render("en").title == en and draft.render("ja").title == ja
    assert draft.render("ja").language == "ja"


def test_a_withdrawal_by_the_worker_is_told_to_the_employer_not_the_worker():
    [draft] = routing.application_status_changed(
        market_events.ApplicationStatusChanged(
            application=APPLICATION,
            employer=f"employers/{ORG}",
            to_status=mp.APPLICATION_STATUS_WITHDRAWN,
            actor=f"users/{WORKER}",
        )
    )
    assert (draft.user_id, draft.organization_id) == ("", ORG)
    assert draft.render("en").body == "An withdrew their application for Welder."
    assert draft.render("ja").body == "Anさんが「Welder」への応募を辞退しました。"


def test_a_new_application_is_told_to_the_employer_organisation():
    [draft] = routing.application_submitted(
        market_events.ApplicationSubmitted(application=APPLICATION, employer=f"employers/{ORG}")
    )
    assert draft.organization_id == ORG and draft.render("en").title == "New application: Welder"


def test_a_refresh_token_reuse_warns_the_owner_with_the_address_when_known():
    [draft] = routing.refresh_token_reuse_detected(
        identity_events.RefreshTokenReuseDetected(user=f"users/{WORKER}", family_id="f", client_address="203.0.113.9")
    )
    assert draft.user_id == WORKER and draft.category == preferences.ACCOUNT_SECURITY
    assert "(from 203.0.113.9)" in draft.render("en").body
    assert "（接続元：203.0.113.9）" in draft.render("ja").body
    [anonymous] = routing.refresh_token_reuse_detected(
        identity_events.RefreshTokenReuseDetected(user=f"users/{WORKER}")
    )
    assert "from" not in anonymous.render("en").body


def test_events_naming_nobody_notify_nobody():
    assert routing.application_submitted(market_events.ApplicationSubmitted()) == []
    assert (
        routing.application_status_changed(
            market_events.ApplicationStatusChanged(to_status=mp.APPLICATION_STATUS_INTERVIEW)
        )
        == []
    )
    assert routing.refresh_token_reuse_detected(identity_events.RefreshTokenReuseDetected()) == []


def test_missing_names_in_events_read_naturally():
    message = templates.render("employer.application_submitted", "en", {"job": "", "worker": ""})
    assert message.body == "A worker applied for a job."


def test_emails_greet_by_name_link_and_explain_the_opt_in():
    message = templates.render("application.offer", "ja", {"job": "Welder"})
    email = templates.email(message, "Mai", "https://app/x", "https://app/settings")
    assert email.subject == "【iWORKZ】内定のお知らせ：「Welder」" and email.language == "ja"
    assert email.text.startswith("Mai様") and "https://app/x" in email.text and "https://app/settings" in email.text
    english = templates.email(templates.render("application.offer", "en", {"job": "Welder"}), "", "u", "s")
    assert english.text.startswith("Hello there,") and english.subject == "[iWORKZ] Job offer: Welder"


def test_preferences_default_then_stored_then_mandatory():
    prefs = preferences
    assert prefs.enabled({}, prefs.APPLICATION_STATUS, prefs.EMAIL)
    assert not prefs.enabled({}, prefs.NEW_JOB_MATCH, prefs.EMAIL)
    stored = prefs.merge({}, [(prefs.APPLICATION_STATUS, [prefs.IN_APP]), (prefs.ACCOUNT_SECURITY, [])])
    assert stored == {str(prefs.APPLICATION_STATUS): [prefs.IN_APP], str(prefs.ACCOUNT_SECURITY): []}
    assert not prefs.enabled(stored, prefs.APPLICATION_STATUS, prefs.EMAIL)
    assert prefs.enabled(stored, prefs.ACCOUNT_SECURITY, prefs.IN_APP)  # cannot be turned off
    assert not prefs.enabled(stored, prefs.ACCOUNT_SECURITY, prefs.EMAIL)
    again = prefs.merge(stored, [(prefs.APPLICATION_STATUS, [prefs.EMAIL, prefs.IN_APP, prefs.EMAIL])])
    assert again[str(prefs.APPLICATION_STATUS)] == sorted({prefs.IN_APP, prefs.EMAIL})
    assert again[str(prefs.ACCOUNT_SECURITY)] == []
    with pytest.raises(InvalidArgument) as error:
        prefs.merge({}, [(prefs.CREDENTIAL, []), (prefs.CREDENTIAL, [prefs.EMAIL])])
    assert error.value.violations[0].field == "preferences.categories[1].category"


def test_credential_events_tell_the_worker_in_their_language():
    from iworkz.credentials.v1 import events_pb2 as credential_events

    summary = credential_events.CredentialSummary(
        name="issuers/i-1/credentials/c-1",
        type="JlptResultCredential",
        issuer_display_name="JLPT Test Centre",
        subject="workers/w-1",
    )
    [issued] = routing.credential_issued(credential_events.CredentialIssued(credential=summary))
    assert (issued.user_id, issued.category, issued.link) == ("w-1", preferences.CREDENTIAL, "/wallet/" + summary.name)
    assert issued.render("en").title == "New credential: JLPT result"
    assert (
        issued.render("ja").body
        == "JLPT Test Centreから日本語能力試験の結果が発行されました。ウォレットで確認できます。"
    )
    [revoked] = routing.credential_revoked(credential_events.CredentialRevoked(credential=summary, reason="fraud"))
    assert revoked.render("en").body == "JLPT Test Centre revoked your JLPT result: fraud."
    outside = credential_events.CredentialSummary(name=summary.name, type=summary.type, subject="")
    assert routing.credential_suspended(credential_events.CredentialSuspended(credential=outside)) == []
