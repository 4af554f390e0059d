"""The worker hears of their credentials: credentials' outbox → Redis stream → notifications' inbox."""

from __future__ import annotations

import asyncio

from iworkz.credentials.v1 import credentials_pb2 as pb
from iworkz.notifications.v1 import notifications_pb2 as npb
from iworkz.sdk import Client
from services.credentials.tests.test_credentials_service import issue


async def inbox(client: Client, user_id: str, count: int, timeout: float = 30.0) -> list[npb.Notification]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = await client.notifications.ListNotifications(npb.ListNotificationsRequest(parent=f"users/{user_id}"))
        if len(found.notifications) >= count or asyncio.get_running_loop().time() > deadline:
            return list(found.notifications)
        await asyncio.sleep(0.2)


async def test_the_worker_is_notified_of_issue_and_revocation(platform, notifications_service):
    issuer, worker = await platform.issuer(name="JLPT Test Centre"), await platform.worker()
    reader = Client(notifications_service.target)
    try:
        reader.use_tokens(await _tokens(platform, worker))
        issued = await issue(issuer, worker)
        [first] = await inbox(reader, worker.user_id, 1)
        assert first.category == npb.NOTIFICATION_CATEGORY_CREDENTIAL
        assert first.title == "New credential: JLPT result"
        assert first.body.startswith("JLPT Test Centre issued you a JLPT result")
        assert first.link == "/wallet/" + issued.credential.name
        await issuer.api.RevokeCredential(pb.RevokeCredentialRequest(name=issued.credential.name, reason="withdrawn"))
        newest = (await inbox(reader, worker.user_id, 2))[0]
        assert newest.title == "Credential revoked: JLPT result"
        assert newest.body == "JLPT Test Centre revoked your JLPT result: withdrawn."
    finally:
        await reader.close()


async def _tokens(platform, person):
    """The person's token pair (the credential client already holds it)."""
    from iworkz.identity.v1 import identity_pb2

    return identity_pb2.TokenPair(access_token=await person.client.access_token())
