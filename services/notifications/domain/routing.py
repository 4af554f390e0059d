"""Who is told what about which event.

Each function takes one domain event and returns the notifications it
causes, as `Draft`s: a category, the people (one user, or every known member
of an organisation), a template with its values and a link into the web app.
Texts are rendered later, per recipient, in that recipient's language.

| event                         | who                         | category           |
|-------------------------------|-----------------------------|--------------------|
| ApplicationStatusChanged      | the worker                  | application status |
|   … to WITHDRAWN (by worker)  | the employer's members      | application status |
| ApplicationSubmitted          | the employer's members      | application status |
| RefreshTokenReuseDetected     | the account's owner         | account security   |
| PasswordChanged               | the account's owner         | account security   |
| EmailVerificationRequested    | the account's owner, email only (link with the token) | account security |
| PasswordResetRequested        | the account's owner, email only (link with the token) | account security |
| CredentialIssued              | the worker it was issued to | credential         |
| CredentialSuspended / …Unsuspended / …Revoked | that worker | credential         |

Employer members are the users identity reported with that organisation
when they signed up (`UserSignedUp.organization`): notifications are per
user, so an employer's inbox is its people's inboxes.

| StrongMatchFound (matching)   | the worker                  | new job match      |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from iworkz.credentials.v1 import events_pb2 as credential_events
from iworkz.identity.v1 import events_pb2 as identity_events
from iworkz.marketplace.v1 import events_pb2 as market_events
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.matching.v1 import events_pb2 as match_events
from services.notifications.domain import preferences, templates
from services.runtime import names

SECURITY_LINK = "/settings/security"
# Pages of the web app that take an account token from the link's query.
VERIFY_EMAIL_PATH = "/verify-email"
RESET_PASSWORD_PATH = "/reset-password"

_STATUS_TEMPLATES = {
    mp.APPLICATION_STATUS_SHORTLISTED: "application.shortlisted",
    mp.APPLICATION_STATUS_INTERVIEW: "application.interview",
    mp.APPLICATION_STATUS_OFFER: "application.offer",
    mp.APPLICATION_STATUS_HIRED: "application.hired",
    mp.APPLICATION_STATUS_REJECTED: "application.rejected",
}


@dataclass(frozen=True)
class Draft:
    """A notification to make, before it is rendered for each recipient."""

    category: int
    template: str
    link: str
    user_id: str = ""  # one user, or
    organization_id: str = ""  # every known member of an organisation
    params: Mapping[str, str] = field(default_factory=dict)
    # An account email (verification, password reset): sent whatever the
    # preferences say, never put in the inbox (its link holds a secret), and
    # not sent at all once the link has expired (Unix time; 0: no expiry).
    email_only: bool = False
    expires: float = 0.0

    def render(self, language: str) -> templates.Message:
        return templates.render(self.template, language, self.params)


def application_status_changed(event: market_events.ApplicationStatusChanged) -> list[Draft]:
    """Tell the worker their application moved on; tell the employer when the worker withdrew."""
    application = event.application
    params = {
        "job": application.job_title,
        "worker": application.worker_display_name,
        "status_code": str(event.to_status),
    }
    link = "/" + application.name
    worker_id = names.resource_id(application.worker, "workers")
    if event.to_status == mp.APPLICATION_STATUS_WITHDRAWN:
        if event.actor == f"users/{worker_id}":
            org_id = names.resource_id(event.employer, "employers")
            return (
                [
                    Draft(
                        preferences.APPLICATION_STATUS,
                        "employer.application_withdrawn",
                        link,
                        organization_id=org_id,
                        params=params,
                    )
                ]
                if org_id
                else []
            )
        # Withdrawn on the worker's behalf (an admin): the worker should know.
        return (
            [Draft(preferences.APPLICATION_STATUS, "application.status", link, user_id=worker_id, params=params)]
            if worker_id
            else []
        )
    if not worker_id:
        return []
    template = _STATUS_TEMPLATES.get(event.to_status, "application.status")
    return [Draft(preferences.APPLICATION_STATUS, template, link, user_id=worker_id, params=params)]


def application_submitted(event: market_events.ApplicationSubmitted) -> list[Draft]:
    """Tell the employer's members about a new application."""
    org_id = names.resource_id(event.employer, "employers")
    if not org_id:
        return []
    application = event.application
    return [
        Draft(
            preferences.APPLICATION_STATUS,
            "employer.application_submitted",
            "/" + application.name,
            organization_id=org_id,
            params={"job": application.job_title, "worker": application.worker_display_name},
        )
    ]


def refresh_token_reuse_detected(event: identity_events.RefreshTokenReuseDetected) -> list[Draft]:
    """Warn the account's owner that a stolen refresh token was used and the session revoked."""
    user_id = names.resource_id(event.user, "users")
    if not user_id:
        return []
    return [
        Draft(
            preferences.ACCOUNT_SECURITY,
            "security.refresh_token_reuse",
            SECURITY_LINK,
            user_id=user_id,
            params={"address": event.client_address},
        )
    ]


def password_changed(event: identity_events.PasswordChanged) -> list[Draft]:
    """Tell the account's owner their password was changed and every session signed out."""
    user_id = names.resource_id(event.user, "users")
    if not user_id:
        return []
    return [
        Draft(
            preferences.ACCOUNT_SECURITY,
            "security.password_changed",
            SECURITY_LINK,
            user_id=user_id,
            params={"address": event.client_address},
        )
    ]


def _account_email(user: str, template: str, path: str, token: str, expires: float) -> list[Draft]:
    user_id = names.resource_id(user, "users")
    if not user_id or not token:
        return []
    link = f"{path}?{urlencode({'token': token})}"
    return [Draft(preferences.ACCOUNT_SECURITY, template, link, user_id=user_id, email_only=True, expires=expires)]


def email_verification_requested(event: identity_events.EmailVerificationRequested) -> list[Draft]:
    """Email the link that proves the address is the account owner's."""
    expires = event.expire_time.seconds + event.expire_time.nanos / 1e9
    return _account_email(event.user, "account.verify_email", VERIFY_EMAIL_PATH, event.token, expires)


def password_reset_requested(event: identity_events.PasswordResetRequested) -> list[Draft]:
    """Email the password-reset link."""
    expires = event.expire_time.seconds + event.expire_time.nanos / 1e9
    return _account_email(event.user, "account.password_reset", RESET_PASSWORD_PATH, event.token, expires)


def _credential_draft(summary: credential_events.CredentialSummary, template: str, reason: str = "") -> list[Draft]:
    """Tell the worker a credential was issued to them, or changed status."""
    worker_id = names.resource_id(summary.subject, "workers")
    if not worker_id:
        return []  # issued to an outside holder: no platform user to tell
    params = {"credential_type": summary.type, "issuer": summary.issuer_display_name, "reason": reason}
    return [Draft(preferences.CREDENTIAL, template, "/wallet/" + summary.name, user_id=worker_id, params=params)]


def credential_issued(event: credential_events.CredentialIssued) -> list[Draft]:
    return _credential_draft(event.credential, "credential.issued")


def credential_suspended(event: credential_events.CredentialSuspended) -> list[Draft]:
    return _credential_draft(event.credential, "credential.suspended", event.reason)


def credential_unsuspended(event: credential_events.CredentialUnsuspended) -> list[Draft]:
    return _credential_draft(event.credential, "credential.unsuspended")


def credential_revoked(event: credential_events.CredentialRevoked) -> list[Draft]:
    return _credential_draft(event.credential, "credential.revoked", event.reason)


def strong_match_found(event: match_events.StrongMatchFound) -> list[Draft]:
    """Tell the worker about an open job that fits them well (matching found it)."""
    worker_id = names.resource_id(event.worker, "workers")
    if not worker_id:
        return []
    params = {
        "job": event.title,
        "employer": event.employer_display_name,
        "percent": str(round(event.score * 100)),
    }
    return [Draft(preferences.NEW_JOB_MATCH, "match.new", "/" + event.job, user_id=worker_id, params=params)]


# Event type -> (payload message class, function making the drafts).
ROUTES = {
    market_events.ApplicationStatusChanged.DESCRIPTOR.full_name: (
        market_events.ApplicationStatusChanged,
        application_status_changed,
    ),
    market_events.ApplicationSubmitted.DESCRIPTOR.full_name: (
        market_events.ApplicationSubmitted,
        application_submitted,
    ),
    identity_events.RefreshTokenReuseDetected.DESCRIPTOR.full_name: (
        identity_events.RefreshTokenReuseDetected,
        refresh_token_reuse_detected,
    ),
    identity_events.PasswordChanged.DESCRIPTOR.full_name: (identity_events.PasswordChanged, password_changed),
    identity_events.EmailVerificationRequested.DESCRIPTOR.full_name: (
        identity_events.EmailVerificationRequested,
        email_verification_requested,
    ),
    identity_events.PasswordResetRequested.DESCRIPTOR.full_name: (
        identity_events.PasswordResetRequested,
        password_reset_requested,
    ),
    credential_events.CredentialIssued.DESCRIPTOR.full_name: (credential_events.CredentialIssued, credential_issued),
    credential_events.CredentialSuspended.DESCRIPTOR.full_name: (
        credential_events.CredentialSuspended,
        credential_suspended,
    ),
    credential_events.CredentialUnsuspended.DESCRIPTOR.full_name: (
        credential_events.CredentialUnsuspended,
        credential_unsuspended,
    ),
    credential_events.CredentialRevoked.DESCRIPTOR.full_name: (credential_events.CredentialRevoked, credential_revoked),
    match_events.StrongMatchFound.DESCRIPTOR.full_name: (match_events.StrongMatchFound, strong_match_found),
}
