"""NotificationService over real gRPC: live streams, resume, isolation, replicas, inbox, preferences, email.

Notifications are caused the way they are in production: people act through
identity and marketplace, whose events travel through their outboxes, the
relay and Redis Streams to the notifications consumer.
"""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest

from devstack import smtp_sink
from iworkz.identity.v1 import identity_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.notifications.v1 import notifications_pb2 as pb
from iworkz.sdk import Client
from services.notifications.dispatch import Dispatcher
from services.notifications.main import SPEC
from services.runtime import server

Code = grpc.StatusCode
SHORTLISTED, INTERVIEW, OFFER, HIRED, REJECTED = (
    mp.APPLICATION_STATUS_SHORTLISTED,
    mp.APPLICATION_STATUS_INTERVIEW,
    mp.APPLICATION_STATUS_OFFER,
    mp.APPLICATION_STATUS_HIRED,
    mp.APPLICATION_STATUS_REJECTED,
)
APPLICATION_STATUS = pb.NOTIFICATION_CATEGORY_APPLICATION_STATUS
ACCOUNT_SECURITY = pb.NOTIFICATION_CATEGORY_ACCOUNT_SECURITY
IN_APP, EMAIL = pb.NOTIFICATION_CHANNEL_IN_APP, pb.NOTIFICATION_CHANNEL_EMAIL


async def fails(code: grpc.StatusCode, call) -> grpc.aio.AioRpcError:
    try:
        await call
    except grpc.aio.AioRpcError as error:
        assert error.code() == code, f"expected {code.name}, got {error.code().name}: {error.details()}"
        return error
    raise AssertionError(f"expected {code.name}, the call succeeded")


VERIFY_SUBJECTS = {"[iWORKZ] Confirm your email address", "【iWORKZ】メールアドレスの確認"}


def mail_to(sink, address: str) -> list[smtp_sink.StoredMail]:
    """The notification emails to `address` (not the verification email every sign-up sends)."""
    return [m for m in sink.messages() if m.to == address and m.subject not in VERIFY_SUBJECTS]


async def test_an_application_moved_to_interview_reaches_the_worker_live_and_by_email_in_their_language(
    platform, smtp_sink
):
    employer = await platform.employer()
    english, japanese = await platform.worker("Maria Santos", "en"), await platform.worker("Tran Thi Mai", "ja-JP")
    job = await platform.job(employer, "TIG welder 溶接工")
    streams = {p.user_id: await platform.subscribe(p) for p in (english, japanese)}
    applications = {p.user_id: await platform.apply(p, job) for p in (english, japanese)}
    for application in applications.values():
        await platform.move(employer, application, INTERVIEW)

    got_en = await streams[english.user_id].next()
    assert (got_en.title, got_en.language_code, got_en.category) == (
        "Interview invitation: TIG welder 溶接工",
        "en",
        APPLICATION_STATUS,
    )
    assert got_en.link == "/" + applications[english.user_id].name
    assert got_en.name.startswith(f"{english.user}/notifications/") and got_en.event_id == "1"
    assert not got_en.read and got_en.create_time.seconds > 0
    got_ja = await streams[japanese.user_id].next()
    assert (got_ja.title, got_ja.language_code) == ("面接のご案内：「TIG welder 溶接工」", "ja")
    assert "企業が面接を希望しています" in got_ja.body

    [mail_en] = await platform.eventually(lambda: _async(mail_to(smtp_sink, english.email)), what="the English email")
    assert mail_en.subject == "[iWORKZ] Interview invitation: TIG welder 溶接工" and mail_en.language == "en"
    assert mail_en.text.startswith("Hello Maria Santos,") and got_en.link in mail_en.text
    [mail_ja] = await platform.eventually(lambda: _async(mail_to(smtp_sink, japanese.email)), what="the Japanese email")
    assert mail_ja.subject == "【iWORKZ】面接のご案内：「TIG welder 溶接工」" and mail_ja.language == "ja"
    assert mail_ja.text.startswith("Tran Thi Mai様") and "通知設定" in mail_ja.text
    sent = await platform.rows(
        "SELECT status, language, channel FROM deliveries WHERE user_id = %s AND subject <> ALL(%s)",
        japanese.user_id,
        sorted(VERIFY_SUBJECTS),
    )
    assert [(r["status"], r["language"], r["channel"]) for r in sent] == [("sent", "ja", "email")]

    # The employer's people were told about the two applications, in their inbox and by email.
    employer_inbox = await employer.api.ListNotifications(pb.ListNotificationsRequest(parent=employer.user))
    assert sorted(n.body for n in employer_inbox.notifications) == [
        "Maria Santos applied for TIG welder 溶接工.",
        "Tran Thi Mai applied for TIG welder 溶接工.",
    ]
    await platform.eventually(
        lambda: _async(len(mail_to(smtp_sink, employer.email)) == 2), what="the employer's emails"
    )

    # The sink's command line lists what arrived.
    listing = await asyncio.to_thread(_sink_listing, smtp_sink.directory)
    assert "【iWORKZ】面接のご案内" in listing and f"to={japanese.email}" in listing


async def _async(value):
    return value


def _sink_listing(directory) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert smtp_sink.main(["--dir", str(directory), "--list"]) == 0
    return out.getvalue()


async def test_a_reconnecting_subscriber_gets_what_it_missed_once_in_order_then_live(platform):
    employer, worker = await platform.employer(), await platform.worker()
    first_job, second_job = await platform.job(employer), await platform.job(employer)
    application = await platform.apply(worker, first_job)
    stream = await platform.subscribe(worker)
    await platform.move(employer, application, SHORTLISTED)
    first = await stream.next()
    await stream.close()

    # While the worker is away, three more things happen.
    await platform.move(employer, application, INTERVIEW, OFFER, HIRED)
    await platform.eventually(lambda: _inbox_at_least(platform, worker, 4), what="the missed notifications")

    resumed = await platform.subscribe(worker, last_event_id=first.event_id)
    missed = resumed.received_now()
    assert [n.title.split(":")[0] for n in missed] == ["Interview invitation", "Job offer", "You're hired"]
    assert [n.event_id for n in missed] == ["2", "3", "4"]
    assert resumed.heartbeats[0].last_event_id == "4"
    # Then live, with nothing repeated.
    second = await platform.apply(worker, second_job)
    await platform.move(employer, second, REJECTED)
    live = await resumed.next()
    assert live.event_id == "5" and live.title.startswith("Update on your application")
    await asyncio.sleep(1.5)  # a heartbeat interval: the inbox check must not resend anything
    assert resumed.received_now() == []

    # Browsers resume with the SSE Last-Event-ID header instead of the field.
    by_header = await platform.subscribe(worker, metadata=(("last-event-id", "3"),))
    assert [n.event_id for n in by_header.received_now()] == ["4", "5"]
    # Without an id the stream starts at the newest notification.
    fresh = await platform.subscribe(worker)
    assert fresh.received_now() == [] and fresh.heartbeats[0].last_event_id == "5"


async def _inbox_at_least(platform, person, n: int) -> bool:
    return await platform.inbox_size(person) >= n


async def test_a_user_never_receives_another_users_notifications(platform):
    employer = await platform.employer()
    alice, bob = await platform.worker("Alice"), await platform.worker("Bob")
    job = await platform.job(employer)
    alice_stream, bob_stream = await platform.subscribe(alice), await platform.subscribe(bob)
    await platform.move(employer, await platform.apply(alice, job), INTERVIEW)
    got = await alice_stream.next()
    assert got.name.startswith(alice.user + "/")
    beats = len(bob_stream.heartbeats)
    await platform.eventually(lambda: _async(len(bob_stream.heartbeats) >= beats + 2), what="two heartbeats for Bob")
    assert bob_stream.received_now() == []

    # Bob cannot subscribe to, list, mark or configure Alice's notifications.
    denied = bob.inbox.notifications.Subscribe(pb.SubscribeRequest(parent=alice.user))
    await fails(Code.PERMISSION_DENIED, denied.read())
    await fails(Code.PERMISSION_DENIED, bob.api.ListNotifications(pb.ListNotificationsRequest(parent=alice.user)))
    await fails(
        Code.PERMISSION_DENIED,
        bob.api.MarkNotificationsRead(pb.MarkNotificationsReadRequest(parent=alice.user, all=True)),
    )
    await fails(
        Code.PERMISSION_DENIED,
        bob.api.GetNotificationPreferences(
            pb.GetNotificationPreferencesRequest(name=f"{alice.user}/notificationPreferences")
        ),
    )
    # Naming Alice's notification under his own inbox changes nothing.
    await fails(
        Code.INVALID_ARGUMENT,
        bob.api.MarkNotificationsRead(pb.MarkNotificationsReadRequest(parent=bob.user, names=[got.name])),
    )
    listed = await alice.api.ListNotifications(pb.ListNotificationsRequest(parent=alice.user))
    assert listed.unread_count == 1
    # And nobody without a token gets anything.
    anonymous = platform.client(platform.notifications_target)
    await fails(Code.UNAUTHENTICATED, anonymous.notifications.Subscribe(pb.SubscribeRequest(parent=alice.user)).read())


async def test_any_replica_serves_any_subscriber(platform, notifications_settings):
    async with server.running(SPEC, notifications_settings()) as replica:
        employer, worker = await platform.employer(), await platform.worker()
        job = await platform.job(employer)
        # Two devices of one worker, on different replicas; both consumers share the group.
        on_first = await platform.subscribe(worker)
        on_second = await platform.subscribe(worker, target=replica.target)
        application = await platform.apply(worker, job)
        await platform.move(employer, application, SHORTLISTED, INTERVIEW, OFFER)
        for stream in (on_first, on_second):
            assert [n.event_id for n in await stream.take(3)] == ["1", "2", "3"]
        await asyncio.sleep(1.5)
        assert on_first.received_now() == [] and on_second.received_now() == []


async def test_heartbeats_keep_an_idle_stream_alive(platform):
    worker = await platform.worker()
    stream = await platform.subscribe(worker)
    await platform.eventually(lambda: _async(len(stream.heartbeats) >= 3), what="three heartbeats")
    assert all(h.time.seconds > 0 and h.last_event_id == "" for h in stream.heartbeats)
    assert stream.error is None


async def test_inbox_lists_newest_first_with_page_tokens_unread_count_and_mark_read(platform):
    employer, worker = await platform.employer(), await platform.worker()
    application = await platform.apply(worker, await platform.job(employer))
    await platform.move(employer, application, SHORTLISTED, INTERVIEW, OFFER, HIRED)
    await platform.eventually(lambda: _inbox_at_least(platform, worker, 4), what="four notifications")
    api, parent = worker.api, worker.user

    page1 = await api.ListNotifications(pb.ListNotificationsRequest(parent=parent, page_size=3))
    assert [n.event_id for n in page1.notifications] == ["4", "3", "2"]
    assert page1.unread_count == 4 and page1.last_event_id == "4" and page1.next_page_token
    page2 = await api.ListNotifications(
        pb.ListNotificationsRequest(parent=parent, page_size=3, page_token=page1.next_page_token)
    )
    assert [n.event_id for n in page2.notifications] == ["1"] and page2.next_page_token == ""
    await fails(
        Code.INVALID_ARGUMENT,
        api.ListNotifications(
            pb.ListNotificationsRequest(parent=parent, page_token=page1.next_page_token, unread_only=True)
        ),
    )

    marked = await api.MarkNotificationsRead(
        pb.MarkNotificationsReadRequest(parent=parent, names=[page1.notifications[0].name, page1.notifications[1].name])
    )
    assert (marked.marked_count, marked.unread_count) == (2, 2)
    again = await api.MarkNotificationsRead(
        pb.MarkNotificationsReadRequest(parent=parent, names=[page1.notifications[0].name])
    )
    assert (again.marked_count, again.unread_count) == (0, 2)
    unread = await api.ListNotifications(pb.ListNotificationsRequest(parent=parent, unread_only=True))
    assert [n.event_id for n in unread.notifications] == ["2", "1"] and not any(n.read for n in unread.notifications)
    security = await api.ListNotifications(pb.ListNotificationsRequest(parent=parent, category=ACCOUNT_SECURITY))
    assert list(security.notifications) == []
    everything = await api.MarkNotificationsRead(pb.MarkNotificationsReadRequest(parent=parent, all=True))
    assert (everything.marked_count, everything.unread_count) == (2, 0)

    # Bad input is refused by the contract's rules.
    await fails(Code.INVALID_ARGUMENT, api.MarkNotificationsRead(pb.MarkNotificationsReadRequest(parent=parent)))
    await fails(
        Code.INVALID_ARGUMENT,
        api.MarkNotificationsRead(
            pb.MarkNotificationsReadRequest(parent=parent, all=True, names=[page1.notifications[0].name])
        ),
    )
    await fails(
        Code.INVALID_ARGUMENT,
        worker.inbox.notifications.Subscribe(pb.SubscribeRequest(parent=parent, last_event_id="abc")).read(),
    )
    await fails(Code.INVALID_ARGUMENT, api.ListNotifications(pb.ListNotificationsRequest(parent="users/x")))


async def test_preferences_choose_channels_and_language(platform, smtp_sink):
    employer, worker = await platform.employer(), await platform.worker("Ana Cruz", "en")
    name = f"{worker.user}/notificationPreferences"
    defaults = (
        await worker.api.GetNotificationPreferences(pb.GetNotificationPreferencesRequest(name=name))
    ).preferences
    assert {c.category: set(c.channels) for c in defaults.categories} == {
        APPLICATION_STATUS: {IN_APP, EMAIL},
        pb.NOTIFICATION_CATEGORY_NEW_JOB_MATCH: {IN_APP},
        pb.NOTIFICATION_CATEGORY_CREDENTIAL: {IN_APP, EMAIL},
        ACCOUNT_SECURITY: {IN_APP, EMAIL},
    }
    assert defaults.language_code == ""

    updated = (
        await worker.api.UpdateNotificationPreferences(
            pb.UpdateNotificationPreferencesRequest(
                preferences=pb.NotificationPreferences(
                    name=name,
                    language_code="ja",
                    categories=[
                        pb.CategoryPreference(category=APPLICATION_STATUS, channels=[IN_APP]),
                        pb.CategoryPreference(category=ACCOUNT_SECURITY, channels=[]),
                    ],
                )
            )
        )
    ).preferences
    channels = {c.category: set(c.channels) for c in updated.categories}
    assert channels[APPLICATION_STATUS] == {IN_APP}
    assert channels[ACCOUNT_SECURITY] == {IN_APP}  # in-app security alerts stay on
    assert channels[pb.NOTIFICATION_CATEGORY_CREDENTIAL] == {IN_APP, EMAIL}  # untouched
    assert updated.language_code == "ja"
    # A masked update changes only the named field.
    only_language = (
        await worker.api.UpdateNotificationPreferences(
            pb.UpdateNotificationPreferencesRequest(
                preferences=pb.NotificationPreferences(name=name, language_code="en"),
                update_mask={"paths": ["language_code"]},
            )
        )
    ).preferences
    assert only_language.language_code == "en"
    assert {c.category: set(c.channels) for c in only_language.categories}[APPLICATION_STATUS] == {IN_APP}
    await worker.api.UpdateNotificationPreferences(
        pb.UpdateNotificationPreferencesRequest(
            preferences=pb.NotificationPreferences(name=name, language_code="ja"),
            update_mask={"paths": ["language_code"]},
        )
    )
    await fails(
        Code.INVALID_ARGUMENT,
        worker.api.UpdateNotificationPreferences(
            pb.UpdateNotificationPreferencesRequest(
                preferences=pb.NotificationPreferences(
                    name=name,
                    categories=[
                        pb.CategoryPreference(category=APPLICATION_STATUS, channels=[IN_APP]),
                        pb.CategoryPreference(category=APPLICATION_STATUS, channels=[EMAIL]),
                    ],
                )
            )
        ),
    )
    await fails(
        Code.INVALID_ARGUMENT,
        worker.api.UpdateNotificationPreferences(
            pb.UpdateNotificationPreferencesRequest(
                preferences=pb.NotificationPreferences(name=name, language_code="fr")
            )
        ),
    )

    # Her account says English, her preference says Japanese; she chose no email for applications.
    stream = await platform.subscribe(worker)
    application = await platform.apply(worker, await platform.job(employer, "Caregiver"))
    await platform.move(employer, application, INTERVIEW)
    got = await stream.next()
    assert got.language_code == "ja" and got.title == "面接のご案内：「Caregiver」"
    await asyncio.sleep(1.0)
    assert mail_to(smtp_sink, worker.email) == []
    assert (
        await platform.rows(
            "SELECT 1 FROM deliveries WHERE user_id = %s AND subject <> ALL(%s)",
            worker.user_id,
            sorted(VERIFY_SUBJECTS),
        )
        == []
    )

    # With in-app off, nothing reaches the inbox or the stream, but email still can.
    await worker.api.UpdateNotificationPreferences(
        pb.UpdateNotificationPreferencesRequest(
            preferences=pb.NotificationPreferences(
                name=name, categories=[pb.CategoryPreference(category=APPLICATION_STATUS, channels=[EMAIL])]
            ),
            update_mask={"paths": ["categories"]},
        )
    )
    await platform.move(employer, application, OFFER)
    [mail] = await platform.eventually(lambda: _async(mail_to(smtp_sink, worker.email)), what="the offer email")
    assert mail.subject == "【iWORKZ】内定のお知らせ：「Caregiver」"
    assert stream.received_now() == [] and await platform.inbox_size(worker) == 1


async def test_a_reused_refresh_token_raises_a_security_alert(platform, smtp_sink):
    worker = await platform.worker("Ken Sato", "ja")
    stream = await platform.subscribe(worker)
    login = await worker.account.login(worker.email, "correct horse battery staple")
    stolen = login.tokens.refresh_token
    await worker.account.identity.RefreshToken(identity_pb2.RefreshTokenRequest(refresh_token=stolen))
    await fails(
        Code.UNAUTHENTICATED,
        worker.account.identity.RefreshToken(identity_pb2.RefreshTokenRequest(refresh_token=stolen)),
    )
    alert = await stream.next()
    assert alert.category == ACCOUNT_SECURITY and alert.link == "/settings/security"
    assert alert.title == "セキュリティ警告：セッションをログアウトしました"
    [mail] = await platform.eventually(lambda: _async(mail_to(smtp_sink, worker.email)), what="the alert email")
    assert mail.subject.startswith("【iWORKZ】セキュリティ警告")


async def test_employers_hear_of_new_and_withdrawn_applications(platform):
    employer, worker = await platform.employer(), await platform.worker("Rizal Putra")
    job = await platform.job(employer, "Line cook")
    stream = await platform.subscribe(employer)
    application = await platform.apply(worker, job)
    submitted = await stream.next()
    assert (submitted.title, submitted.body) == ("New application: Line cook", "Rizal Putra applied for Line cook.")
    await worker.market.marketplace.WithdrawApplication(mp.WithdrawApplicationRequest(name=application.name))
    withdrawn = await stream.next()
    assert withdrawn.title == "Application withdrawn: Line cook"
    # The worker is not told about their own withdrawal.
    await asyncio.sleep(1.0)
    assert await platform.inbox_size(worker) == 0


class _FlakySms:
    """A channel behind the Delivery interface that fails a set number of times."""

    channel = "sms"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list = []

    async def send(self, message) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("gateway unavailable")
        self.sent.append(message)


async def test_other_channels_plug_into_the_dispatcher_with_retries(platform, notifications_service):
    user_id = str(uuid.uuid4())
    delivery_id = uuid.uuid4()
    await platform.rows(
        "INSERT INTO deliveries (id, user_id, event_id, category, channel, address, language, subject, body)"
        " VALUES (%s, %s, 'e1', 1, 'sms', '+818012345678', 'en', 'Hi', 'Your interview is at 10:00')"
        " RETURNING id",
        delivery_id,
        user_id,
    )
    sms = _FlakySms(failures=2)
    dispatcher = Dispatcher(notifications_service.resources.db, [sms], max_attempts=5, retry_base_seconds=0.01)
    for _ in range(3):
        await dispatcher.send_due()
        await asyncio.sleep(0.05)
    [row] = await platform.rows("SELECT status, attempts, last_error FROM deliveries WHERE id = %s", delivery_id)
    assert (row["status"], row["attempts"]) == ("sent", 3) and row["last_error"] == ""
    assert [m.body for m in sms.sent] == ["Your interview is at 10:00"]

    gone = uuid.uuid4()
    await platform.rows(
        "INSERT INTO deliveries (id, user_id, event_id, category, channel, address, language, subject, body)"
        " VALUES (%s, %s, 'e2', 1, 'sms', '+818012345678', 'en', 'Hi', 'x') RETURNING id",
        gone,
        user_id,
    )
    hopeless = Dispatcher(
        notifications_service.resources.db, [_FlakySms(failures=99)], max_attempts=2, retry_base_seconds=0.01
    )
    for _ in range(3):
        await hopeless.send_due()
        await asyncio.sleep(0.05)
    [row] = await platform.rows("SELECT status, attempts, last_error FROM deliveries WHERE id = %s", gone)
    assert (row["status"], row["attempts"]) == ("failed", 2) and "gateway unavailable" in row["last_error"]


async def test_the_sdk_stream_reconnects_and_resumes(platform):
    employer, worker = await platform.employer(), await platform.worker()
    application = await platform.apply(worker, await platform.job(employer))
    client = Client(platform.notifications_target)
    client.use_tokens(worker.tokens)
    received = []

    async def follow():
        async for notification in client.notification_stream(worker.user, reconnect_delay=0.1):
            received.append(notification.event_id)

    task = asyncio.create_task(follow())
    try:
        await asyncio.sleep(0.5)
        await platform.move(employer, application, SHORTLISTED, INTERVIEW)
        await platform.eventually(lambda: _async(received == ["1", "2"]), what="two notifications")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.close()


@pytest.mark.parametrize(
    "bad", ["NOTIFICATIONS_HEARTBEAT_SECONDS=0", "NOTIFICATIONS_SMTP_PORT=smtp", "NOTIFICATIONS_WEB_BASE_URL=localhost"]
)
def test_bad_configuration_stops_the_service_at_start(make_settings, bad):
    from services.notifications.config import NotificationsConfig
    from services.runtime.settings import ConfigError

    name, value = bad.split("=")
    env = {"NOTIFICATIONS_SMTP_HOST": "127.0.0.1", name: value}
    with pytest.raises(ConfigError, match=name):
        NotificationsConfig.from_settings(make_settings("notifications", "127.0.0.1:1", **env))


async def test_old_events_reach_the_inbox_but_send_no_email(platform, notifications_service, smtp_sink):
    """When notifications starts on a platform with history it reads old events: nobody is emailed about them."""
    from iworkz.marketplace.v1 import events_pb2
    from services.runtime import outbox
    from services.runtime.relay import stream_name

    worker = await platform.worker("Old Timer")
    application = mp.Application(
        name=f"employers/{uuid.uuid4()}/jobs/{uuid.uuid4()}/applications/{uuid.uuid4()}",
        worker=f"workers/{worker.user_id}",
        job_title="Archived job",
    )
    envelope = outbox.envelope(
        "marketplace",
        "application",
        "a",
        events_pb2.ApplicationStatusChanged(application=application, to_status=HIRED, actor="users/someone"),
    )
    envelope.occur_time.FromSeconds(envelope.occur_time.seconds - 3 * 24 * 3600)
    redis = notifications_service.resources.redis
    await redis.client.xadd(
        stream_name(redis, "marketplace"),
        {
            "id": envelope.id,
            "type": envelope.type,
            "aggregate_type": "application",
            "aggregate_id": "a",
            "envelope": envelope.SerializeToString(),
        },
    )
    await platform.eventually(lambda: _inbox_at_least(platform, worker, 1), what="the old event in the inbox")
    await asyncio.sleep(1.0)
    assert mail_to(smtp_sink, worker.email) == []
    assert (
        await platform.rows(
            "SELECT 1 FROM deliveries WHERE user_id = %s AND subject <> ALL(%s)",
            worker.user_id,
            sorted(VERIFY_SUBJECTS),
        )
        == []
    )


async def test_the_delivery_lag_is_the_wait_of_the_oldest_due_delivery(platform, notifications_service):
    from prometheus_client import REGISTRY

    class Pager(_FlakySms):
        channel = "pager"  # a channel no other test uses

    # The gauge is the process's: the service's own dispatcher sets it too. Let it send what is
    # due first (every sign-up of earlier tests, in this module or others, queued a verification email).
    async def nothing_due() -> bool:
        due = await platform.rows(
            "SELECT 1 FROM deliveries WHERE status = 'pending' AND next_attempt_at <= now() AND channel = 'email'"
        )
        return not due

    await platform.eventually(nothing_due, what="the email backlog sent")
    await platform.rows(
        "INSERT INTO deliveries (id, user_id, event_id, category, channel, address, language, subject, body,"
        " next_attempt_at) VALUES (%s, %s, 'e3', 1, 'pager', '42', 'en', 'Hi', 'x', now() - interval '30 seconds')"
        " RETURNING id",
        uuid.uuid4(),
        str(uuid.uuid4()),
    )
    pager = Pager(failures=1)
    dispatcher = Dispatcher(notifications_service.resources.db, [pager], max_attempts=5, retry_base_seconds=0.01)
    await dispatcher.send_due()  # fails once: the delivery waited 30 s past its time
    assert REGISTRY.get_sample_value("iworkz_notifications_delivery_lag_seconds") >= 30
    await asyncio.sleep(0.05)
    await dispatcher.send_due()  # its retry is due 10 ms after: sent
    await dispatcher.send_due()
    assert len(pager.sent) == 1
    assert REGISTRY.get_sample_value("iworkz_notifications_delivery_lag_seconds") == 0
