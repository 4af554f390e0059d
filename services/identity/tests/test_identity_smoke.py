import grpc
import pytest

from iworkz.identity.v1 import identity_pb2
from iworkz.sdk import Client


async def test_signup_login_refresh(identity_service):
    async with Client(identity_service.target) as c:
        r = await c.sign_up(email="smoke@example.com", password="correct horse battery",
                            display_name="Smoke", account_type=identity_pb2.ACCOUNT_TYPE_WORKER)
        assert r.user.email == "smoke@example.com"
        me = await c.identity.GetUser(identity_pb2.GetUserRequest(name=r.user.name))
        assert me.user.name == r.user.name
