"""Intent-based access control through the official SDKs: the request is
refused with a challenge (an SDK exception carrying it), the application
verifies its user and retries with the challenge headers, and the retry goes
through — streaming and not, for OpenAI and Anthropic."""

import os
import uuid

import anthropic
import openai
import pytest
import requests

ASK = "What's my credit card on file?"


@pytest.fixture()
def ibac_on(base_url: str, api_key: str):
    url = f"{base_url}/v1/guard/{os.environ['RAMPART_PROXY_ID']}/settings/ibac"
    auth = {"Authorization": f"Bearer {api_key}"}
    r = requests.put(url, json={"enabled": True, "verification_mode": "trust"}, headers=auth, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["enabled"] is True
    yield
    requests.put(url, json={"enabled": False}, headers=auth, timeout=10)


def challenge_from(exc: Exception) -> dict:
    body = exc.body if isinstance(exc.body, dict) else {}
    # The OpenAI SDK hands over the error object; read the full body from the response.
    full = exc.response.json()
    assert full["challenge_required"] is True, full
    assert full["intent_category"] == "payment_data"
    assert full["error"]["type"] == "challenge_required", body
    return full


def retry_headers(ch: dict, user: str) -> dict:
    return {
        "X-User-ID": user,
        "X-Rampart-Challenge-ID": ch["challenge_id"],
        "X-Rampart-Verification-Token": ch["verification_token"],
        "X-Rampart-Auth-Context": "verified",
    }


@pytest.mark.parametrize("stream", [False, True])
def test_openai_challenge_verify_retry(ibac_on, oai: openai.OpenAI, stream: bool) -> None:
    user = f"cust-{uuid.uuid4().hex[:8]}"
    messages = [{"role": "user", "content": ASK}]
    with pytest.raises(openai.PermissionDeniedError) as refused:
        oai.chat.completions.create(model="mock-echo", messages=messages, stream=stream, extra_headers={"X-User-ID": user})
    assert refused.value.status_code == 403
    ch = challenge_from(refused.value)
    reply = oai.chat.completions.create(model="mock-echo", messages=messages, stream=stream, extra_headers=retry_headers(ch, user))
    if stream:
        text = "".join(c.choices[0].delta.content or "" for c in reply if c.choices)
    else:
        text = reply.choices[0].message.content
    assert text == f"Echo: {ASK}"
    # The verified user keeps access for this category without new headers.
    again = oai.chat.completions.create(model="mock-echo", messages=messages, extra_headers={"X-User-ID": user})
    assert again.choices[0].message.content == f"Echo: {ASK}"


@pytest.mark.parametrize("stream", [False, True])
def test_anthropic_challenge_verify_retry(ibac_on, claude: anthropic.Anthropic, stream: bool) -> None:
    user = f"cust-{uuid.uuid4().hex[:8]}"
    messages = [{"role": "user", "content": ASK}]
    with pytest.raises(anthropic.PermissionDeniedError) as refused:
        claude.messages.create(model="mock-echo", max_tokens=64, messages=messages, stream=stream, extra_headers={"X-User-ID": user})
    ch = challenge_from(refused.value)
    if stream:
        with claude.messages.stream(model="mock-echo", max_tokens=64, messages=messages, extra_headers=retry_headers(ch, user)) as s:
            text = "".join(s.text_stream)
    else:
        msg = claude.messages.create(model="mock-echo", max_tokens=64, messages=messages, extra_headers=retry_headers(ch, user))
        text = msg.content[0].text
    assert text == f"Echo: {ASK}"


def test_wrong_token_is_refused(ibac_on, oai: openai.OpenAI) -> None:
    user = f"cust-{uuid.uuid4().hex[:8]}"
    messages = [{"role": "user", "content": ASK}]
    with pytest.raises(openai.PermissionDeniedError) as refused:
        oai.chat.completions.create(model="mock-echo", messages=messages, extra_headers={"X-User-ID": user})
    ch = challenge_from(refused.value)
    ch["verification_token"] = "vt_" + "0" * 64
    with pytest.raises(openai.PermissionDeniedError) as again:
        oai.chat.completions.create(model="mock-echo", messages=messages, extra_headers=retry_headers(ch, user))
    assert again.value.response.json()["error"]["type"] == "challenge_failed"
