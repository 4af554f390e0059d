"""Every AgentService RPC through the real edge: REST/JSON (SSE for Chat, a raw upload for
ParseResume), gRPC-web and native gRPC, against the real agent service behind it."""

from __future__ import annotations

import json

import grpc
import grpc_web_frames
import pytest
from edge_testing import assert_error_shape, grpc_credentials, sign_up

from iworkz.agent.v1 import agent_pb2 as pb
from iworkz.identity.v1 import identity_pb2 as idp
from iworkz.sdk import Client
from services.agent import resume_corpus
from services.agent.domain import skill_rules as esco

PIPE_WELDER = "http://data.europa.eu/esco/occupation/2ff73126-7aff-4233-9d9c-d8725e1c6822"
SERVICE = "/iworkz.agent.v1.AgentService"


@pytest.fixture
async def worker(rest):
    return await sign_up(rest, "WORKER")


@pytest.fixture
async def sdk(edge, worker):
    async with Client(edge.target, credentials=grpc_credentials(edge)) as client:
        client.use_tokens(idp.TokenPair(access_token=worker["tokens"]["accessToken"]))
        yield client


async def web(rest, worker, method: str, message) -> grpc_web_frames.Reply:
    return await grpc_web_frames.call(rest, f"{SERVICE}/{method}", message.SerializeToString(), headers=worker["auth"])


# --- Embed: internal, refused to users on every protocol ------------------------------------------


async def test_embed_is_not_for_users_on_any_protocol(rest, worker, sdk):
    response = await rest.post("/v1/embeddings:embed", json={"texts": ["溶接"]}, headers=worker["auth"])
    assert_error_shape(response, 403, 7)
    reply = await web(rest, worker, "Embed", pb.EmbedRequest(texts=["溶接"]))
    assert reply.status == grpc.StatusCode.PERMISSION_DENIED.value[0]
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await sdk.agent.Embed(pb.EmbedRequest(texts=["溶接"]))
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    anonymous = await rest.post("/v1/embeddings:embed", json={"texts": ["溶接"]})
    assert_error_shape(anonymous, 401, 16)


# --- ParseResume: raw upload over REST, a client stream over gRPC and gRPC-web ----------------------


async def test_parse_resume_raw_upload_over_rest(rest, worker):
    record = resume_corpus.records()[6]
    pdf = resume_corpus.pdf(resume_corpus.lines(record), record["language"])
    response = await rest.post(
        f"/v1/workers/{worker['id']}/resume:parse",
        content=pdf,
        headers={**worker["auth"], "content-type": "application/pdf"},
    )
    assert response.status_code == 200, response.text
    draft = response.json()["draft"]
    assert draft["profile"]["displayName"] == record["name"] and draft["profile"]["visaStatus"] == "VISA_STATUS_SSW_1"
    assert any(f["field"] == "visa_status" and f["evidence"][0]["quote"] for f in draft["fields"])
    bad = await rest.post(
        f"/v1/workers/{worker['id']}/resume:parse",
        content=b"\x89PNG\r\n\x1a\n" + bytes(64),
        headers={**worker["auth"], "content-type": "image/png"},
    )
    body = assert_error_shape(bad, 400, 3)
    assert "not a readable image" in body["message"]
    other = await sign_up(rest, "WORKER")
    denied = await rest.post(
        f"/v1/workers/{worker['id']}/resume:parse",
        content=pdf,
        headers={**other["auth"], "content-type": "application/pdf"},
    )
    assert_error_shape(denied, 403, 7)


async def test_parse_resume_larger_than_the_edge_default_but_within_5_mb(rest, worker):
    """The edge's 1 MB body limit is raised for this upload only (topology edge.upload_limits)."""
    lines = resume_corpus.lines(resume_corpus.records()[7])
    text = ("\n".join(lines) + "\n" + "Summary: reliable and careful worker. " * 40000).encode()
    assert 1024 * 1024 < len(text) < 5 * 1024 * 1024
    response = await rest.post(
        f"/v1/workers/{worker['id']}/resume:parse",
        content=text,
        headers={**worker["auth"], "content-type": "text/plain"},
    )
    assert response.status_code == 200, response.text[:300]
    too_big = await rest.post(
        "/v1/skills:extract",
        content=json.dumps({"text": "x" * (1024 * 1024 + 10)}),
        headers={**worker["auth"], "content-type": "application/json"},
    )
    assert too_big.status_code == 413


async def test_parse_resume_as_a_grpc_client_stream_and_as_grpc_web_frames(rest, worker, sdk):
    record = resume_corpus.records()[16]
    docx = resume_corpus.docx(resume_corpus.lines(record))
    parent = f"workers/{worker['id']}"

    async def chunks():
        yield pb.ParseResumeRequest(parent=parent, file={"content_type": "", "data": docx[:5000]})
        yield pb.ParseResumeRequest(file={"data": docx[5000:]})

    response = await sdk.agent.ParseResume(chunks(), timeout=120)
    assert response.draft.profile.display_name == record["name"]
    frames = grpc_web_frames.frame(pb.ParseResumeRequest(parent=parent, file={"data": docx[:5000]}).SerializeToString())
    frames += grpc_web_frames.frame(pb.ParseResumeRequest(file={"data": docx[5000:]}).SerializeToString())
    reply = await rest.post(
        f"{SERVICE}/ParseResume",
        content=frames,
        headers={**worker["auth"], "content-type": "application/grpc-web+proto", "x-grpc-web": "1"},
    )
    messages, trailers = grpc_web_frames.parse(reply.content)
    assert trailers.get("grpc-status") == "0", trailers
    assert pb.ParseResumeResponse.FromString(messages[0]).draft.profile.display_name == record["name"]


# --- ExtractSkills, SkillGap, CareerPaths ------------------------------------------------------------


async def test_extract_skills_on_every_protocol(rest, worker, sdk):
    response = await rest.post("/v1/skills:extract", json={"text": "TIG溶接5年"}, headers=worker["auth"])
    assert response.status_code == 200 and esco.TIG in {s["skill"]["uri"] for s in response.json()["skills"]}
    reply = await web(rest, worker, "ExtractSkills", pb.ExtractSkillsRequest(text="hàn TIG"))
    assert reply.status == 0
    assert esco.TIG in {s.skill.uri for s in pb.ExtractSkillsResponse.FromString(reply.messages[0]).skills}
    found = await sdk.agent.ExtractSkills(pb.ExtractSkillsRequest(text="las TIG"))
    assert esco.TIG in {s.skill.uri for s in found.skills}
    bad = await rest.post("/v1/skills:extract", json={"text": ""}, headers=worker["auth"])
    assert_error_shape(bad, 400, 3)


async def test_skill_gap_and_career_paths_on_every_protocol(rest, worker, sdk):
    me = f"workers/{worker['id']}"
    gap = await rest.post(f"/v1/{me}:skillGap", json={"occupation": PIPE_WELDER}, headers=worker["auth"])
    assert gap.status_code == 200, gap.text
    assert gap.json()["targetTitle"].startswith("pipe welder") and gap.json()["missing"]
    reply = await web(rest, worker, "SkillGap", pb.SkillGapRequest(worker=me, occupation=PIPE_WELDER))
    assert reply.status == 0 and pb.SkillGapResponse.FromString(reply.messages[0]).missing
    assert (await sdk.agent.SkillGap(pb.SkillGapRequest(worker=me, occupation=PIPE_WELDER))).missing
    paths = await rest.get(f"/v1/{me}/careerPaths", params={"maxPaths": 3}, headers=worker["auth"])
    assert paths.status_code == 200, paths.text
    assert len(paths.json()["paths"]) <= 3
    reply = await web(rest, worker, "CareerPaths", pb.CareerPathsRequest(worker=me))
    assert reply.status == 0
    await sdk.agent.CareerPaths(pb.CareerPathsRequest(worker=me))
    other = await sign_up(rest, "WORKER")
    denied = await rest.get(f"/v1/{me}/careerPaths", headers=other["auth"])
    assert_error_shape(denied, 403, 7)


# --- Chat (SSE, gRPC-web stream, gRPC stream) and conversations ----------------------------------------


async def test_chat_streams_as_server_sent_events_and_conversations_over_rest(rest, worker):
    path = f"/v1/users/{worker['id']}/conversations:chat"
    events = []
    async with rest.stream("POST", path, json={"text": "こんにちは"}, headers=worker["auth"]) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    assert "started" in events[0] and "done" in events[-1] and any("text" in e for e in events)
    conversation = events[0]["started"]["conversation"]
    assert events[0]["started"]["languageCode"] == "ja"
    listed = await rest.get(f"/v1/users/{worker['id']}/conversations", headers=worker["auth"])
    assert [c["name"] for c in listed.json()["conversations"]] == [conversation]
    got = await rest.get(f"/v1/{conversation}", headers=worker["auth"])
    assert [m["role"] for m in got.json()["conversation"]["messages"]] == [
        "MESSAGE_ROLE_USER",
        "MESSAGE_ROLE_ASSISTANT",
    ]
    other = await sign_up(rest, "WORKER")
    assert_error_shape(await rest.get(f"/v1/{conversation}", headers=other["auth"]), 403, 7)
    assert_error_shape(await rest.delete(f"/v1/{conversation}", headers=other["auth"]), 403, 7)
    deleted = await rest.delete(f"/v1/{conversation}", headers=worker["auth"])
    assert deleted.status_code == 200
    assert_error_shape(await rest.get(f"/v1/{conversation}", headers=worker["auth"]), 404, 5)


async def test_chat_and_conversations_over_grpc_web_and_grpc(rest, worker, sdk):
    me = f"users/{worker['id']}"
    reply = await web(rest, worker, "Chat", pb.ChatRequest(parent=me, text="hello"))
    assert reply.status == 0
    kinds = [pb.ChatResponse.FromString(m).WhichOneof("event") for m in reply.messages]
    assert kinds[0] == "started" and kinds[-1] == "done" and "text" in kinds
    items = [item async for item in sdk.agent.Chat(pb.ChatRequest(parent=me, text="xin chào"))]
    assert items[0].started.language_code == "vi" and items[-1].HasField("done")
    listed = await web(rest, worker, "ListConversations", pb.ListConversationsRequest(parent=me))
    names = [c.name for c in pb.ListConversationsResponse.FromString(listed.messages[0]).conversations]
    assert items[0].started.conversation in names and len(names) == 2
    got = await web(rest, worker, "GetConversation", pb.GetConversationRequest(name=names[0]))
    assert pb.GetConversationResponse.FromString(got.messages[0]).conversation.messages
    await sdk.agent.GetConversation(pb.GetConversationRequest(name=names[1]))
    deleted = await web(rest, worker, "DeleteConversation", pb.DeleteConversationRequest(name=names[0]))
    assert deleted.status == 0
    await sdk.agent.DeleteConversation(pb.DeleteConversationRequest(name=names[1]))
    remaining = await sdk.agent.ListConversations(pb.ListConversationsRequest(parent=me))
    assert list(remaining.conversations) == []
