"""The official OpenAI and Anthropic Python SDKs, pointed at rampart.

Every call goes through the proxy (API key check, validation, the built-in
mock LLM, event recording), so these tests see exactly what an application
using the SDKs would see.
"""

import json
import re
import time
import uuid
from html.parser import HTMLParser

import anthropic
import openai
import pytest
import requests


def marker(prefix: str) -> str:
    """A word unique to this test run, so its echo and log row can be found."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# --- OpenAI: chat completions -------------------------------------------------


def test_chat_completion_echoes_the_last_user_message(oai: openai.OpenAI) -> None:
    word = marker("chat")
    completion = oai.chat.completions.create(
        model="mock-echo",
        messages=[
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "an earlier question"},
            {"role": "assistant", "content": "an earlier answer"},
            {"role": "user", "content": f"hello there {word}"},
        ],
    )
    assert completion.object == "chat.completion"
    assert completion.model == "mock-echo"
    assert len(completion.choices) == 1
    choice = completion.choices[0]
    assert choice.message.role == "assistant"
    assert choice.message.content == f"Echo: hello there {word}"
    assert choice.finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.prompt_tokens > 0
    assert completion.usage.completion_tokens > 0
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens


def test_chat_completion_stream_concatenates_to_the_echo(oai: openai.OpenAI) -> None:
    word = marker("stream")
    text = f"stream me a few words {word}"
    stream = oai.chat.completions.create(
        model="mock-echo",
        messages=[{"role": "user", "content": text}],
        stream=True,
        stream_options={"include_usage": True},
    )
    pieces: list[str] = []
    finish_reasons: list[str] = []
    usage = None
    chunks = 0
    for chunk in stream:
        chunks += 1
        assert chunk.object == "chat.completion.chunk"
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            if choice.delta.content:
                pieces.append(choice.delta.content)
            if choice.finish_reason:
                finish_reasons.append(choice.finish_reason)
    assert "".join(pieces) == f"Echo: {text}"
    # The mock sends the answer word by word: a real stream, not one blob.
    assert len(pieces) >= 3, pieces
    assert finish_reasons == ["stop"]
    assert usage is not None, "stream_options.include_usage asked for a usage chunk"
    assert usage.completion_tokens > 0 and usage.prompt_tokens > 0


def test_chat_completion_long_stream_arrives_whole(oai: openai.OpenAI) -> None:
    stream = oai.chat.completions.create(
        model="mock-long", messages=[{"role": "user", "content": "go long"}], stream=True
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text.startswith("Echo: chunk1 ")
    assert text.rstrip().endswith("chunk199")
    assert text.count("chunk") == 199


def test_chat_tool_call(oai: openai.OpenAI) -> None:
    completion = oai.chat.completions.create(
        model="mock-tool-call",
        messages=[{"role": "user", "content": 'Please call get_weather with {"city": "Paris", "days": 3} thanks'}],
        tools=[
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "parameters": {
                        "type": "object",
                        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                    },
                },
            }
        ],
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    calls = choice.message.tool_calls
    assert calls is not None and len(calls) == 1
    assert calls[0].type == "function"
    assert calls[0].id
    assert calls[0].function.name == "get_weather"
    assert json.loads(calls[0].function.arguments) == {"city": "Paris", "days": 3}


def test_chat_tool_call_stream(oai: openai.OpenAI) -> None:
    stream = oai.chat.completions.create(
        model="mock-tool-call",
        messages=[{"role": "user", "content": 'call lookup_order {"order": "A-17", "items": [1, 2]}'}],
        stream=True,
    )
    name = ""
    arguments = ""
    for chunk in stream:
        for choice in chunk.choices:
            for call in choice.delta.tool_calls or []:
                assert call.index == 0
                name += call.function.name or ""
                arguments += call.function.arguments or ""
    assert name == "lookup_order"
    assert json.loads(arguments) == {"order": "A-17", "items": [1, 2]}


def test_models_list(oai: openai.OpenAI) -> None:
    ids = {m.id for m in oai.models.list()}
    assert {"mock-echo", "mock-tool-call", "mock-error-500"} <= ids


# --- OpenAI: responses API ----------------------------------------------------


def test_responses_non_stream(oai: openai.OpenAI) -> None:
    word = marker("resp")
    response = oai.responses.create(model="mock-echo", input=f"what is rampart {word}")
    assert response.status == "completed"
    assert response.output_text == f"Echo: what is rampart {word}"
    assert response.usage is not None and response.usage.output_tokens > 0


def test_responses_stream(oai: openai.OpenAI) -> None:
    word = marker("rstream")
    text = f"stream the responses api {word}"
    stream = oai.responses.create(
        model="mock-echo",
        input=[{"role": "user", "content": [{"type": "input_text", "text": text}]}],
        stream=True,
    )
    types: list[str] = []
    deltas: list[str] = []
    completed = None
    for event in stream:
        types.append(event.type)
        if event.type == "response.output_text.delta":
            deltas.append(event.delta)
        elif event.type == "response.completed":
            completed = event.response
    assert types[0] == "response.created"
    assert types[-1] == "response.completed"
    assert "response.output_text.done" in types
    assert len(deltas) >= 3, deltas
    assert "".join(deltas) == f"Echo: {text}"
    assert completed is not None
    assert completed.status == "completed"
    assert completed.output_text == f"Echo: {text}"


def test_responses_tool_call(oai: openai.OpenAI) -> None:
    response = oai.responses.create(
        model="mock-tool-call",
        input='now call lookup_order with {"id": 7, "rush": true}',
        tools=[{"type": "function", "name": "lookup_order", "parameters": {"type": "object", "properties": {}}}],
    )
    calls = [item for item in response.output if item.type == "function_call"]
    assert len(calls) == 1
    assert calls[0].name == "lookup_order"
    assert json.loads(calls[0].arguments) == {"id": 7, "rush": True}


# --- Anthropic: messages ------------------------------------------------------


def test_anthropic_message(claude: anthropic.Anthropic) -> None:
    word = marker("msg")
    message = claude.messages.create(
        model="mock-echo",
        max_tokens=256,
        system="You are terse.",
        messages=[{"role": "user", "content": f"hello anthropic {word}"}],
    )
    assert message.type == "message"
    assert message.role == "assistant"
    assert message.model == "mock-echo"
    assert message.stop_reason == "end_turn"
    assert len(message.content) == 1
    assert message.content[0].type == "text"
    assert message.content[0].text == f"Echo: hello anthropic {word}"
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0


def test_anthropic_stream(claude: anthropic.Anthropic) -> None:
    word = marker("mstream")
    text = f"stream anthropic words now {word}"
    with claude.messages.stream(
        model="mock-echo",
        max_tokens=256,
        messages=[{"role": "user", "content": [{"type": "text", "text": text}]}],
    ) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert "".join(pieces) == f"Echo: {text}"
    assert len(pieces) >= 3, pieces
    assert final.content[0].type == "text"
    assert final.content[0].text == f"Echo: {text}"
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens > 0


def test_anthropic_tool_use(claude: anthropic.Anthropic) -> None:
    message = claude.messages.create(
        model="mock-tool-call",
        max_tokens=256,
        tools=[{"name": "get_time", "input_schema": {"type": "object", "properties": {"tz": {"type": "string"}}}}],
        messages=[{"role": "user", "content": 'call get_time {"tz": "Europe/Paris"}'}],
    )
    assert message.stop_reason == "tool_use"
    blocks = [b for b in message.content if b.type == "tool_use"]
    assert len(blocks) == 1
    assert blocks[0].name == "get_time"
    assert blocks[0].input == {"tz": "Europe/Paris"}


# --- Errors -------------------------------------------------------------------


BAD_KEY = "rk_0000000000000000_" + "0" * 64


def test_openai_bad_key_is_401(base_url: str) -> None:
    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key=BAD_KEY, max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model="mock-echo", messages=[{"role": "user", "content": "hi"}])
    assert caught.value.status_code == 401
    body = caught.value.body
    assert isinstance(body, dict) and body.get("type") == "authentication_error", body


def test_anthropic_bad_key_is_401(base_url: str) -> None:
    client = anthropic.Anthropic(base_url=base_url, api_key="not-a-rampart-key", max_retries=0)
    with pytest.raises(anthropic.AuthenticationError) as caught:
        client.messages.create(model="mock-echo", max_tokens=16, messages=[{"role": "user", "content": "hi"}])
    assert caught.value.status_code == 401
    body = caught.value.body
    assert isinstance(body, dict) and body.get("type") == "error", body
    assert body["error"]["type"] == "authentication_error", body


def test_openai_upstream_500(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.InternalServerError) as caught:
        oai.chat.completions.create(model="mock-error-500", messages=[{"role": "user", "content": "fail please"}])
    assert caught.value.status_code == 500
    body = caught.value.body
    assert isinstance(body, dict) and body.get("type") == "server_error", body
    assert body.get("message"), body


def test_anthropic_upstream_500(claude: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.InternalServerError) as caught:
        claude.messages.create(model="mock-error-500", max_tokens=16, messages=[{"role": "user", "content": "fail"}])
    assert caught.value.status_code == 500
    body = caught.value.body
    assert isinstance(body, dict) and body.get("type") == "error", body
    assert body["error"]["type"] == "api_error", body


def test_anthropic_missing_max_tokens_is_400(base_url: str, api_key: str) -> None:
    reply = requests.post(
        f"{base_url}/v1/messages",
        headers={"x-api-key": api_key, "anthropic-version": "2023-06-01"},
        json={"model": "mock-echo", "messages": [{"role": "user", "content": "hi"}]},
        timeout=10,
    )
    assert reply.status_code == 400, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    body = reply.json()
    assert body["type"] == "error", body
    assert body["error"]["type"] == "invalid_request_error", body
    assert "max_tokens" in body["error"]["message"], body


def test_openai_missing_messages_is_400(base_url: str, api_key: str) -> None:
    reply = requests.post(
        f"{base_url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {api_key}"},
        json={"model": "mock-echo"},
        timeout=10,
    )
    assert reply.status_code == 400, reply.text
    error = reply.json()["error"]
    assert error["type"] == "invalid_request_error", error
    assert "messages" in error["message"], error


def test_openai_invalid_json_is_400(base_url: str, api_key: str) -> None:
    reply = requests.post(
        f"{base_url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
        data=b'{"model": "mock-echo", "messages": [',
        timeout=10,
    )
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"]["type"] == "invalid_request_error"


# --- Request metadata, seen through the dashboard ------------------------------


class _TableRows(HTMLParser):
    """Collects the text of each cell of the table marked data-testid=request-log."""

    def __init__(self) -> None:
        super().__init__()
        self.in_table = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("data-testid", "request-log") in attrs:
            self.in_table = True
        elif self.in_table and tag == "tr":
            self.rows.append([])
        elif self.in_table and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.in_table = False
        elif self.in_table and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _log_in(base_url: str, email: str, password: str) -> str:
    """Logs in through the login form (no JavaScript); returns the Cookie header."""
    page = requests.get(f"{base_url}/login", timeout=10)
    assert page.status_code == 200
    action = re.search(r'<form[^>]*action="(/api/[^"]+)"', page.text)
    assert action, "the login page has no form posting to a server function"
    reply = requests.post(
        f"{base_url}{action.group(1)}",
        data={"email": email, "password": password},
        headers={"Origin": base_url, "Accept": "text/html"},
        allow_redirects=False,
        timeout=10,
    )
    assert reply.status_code in (200, 302, 303), reply.text
    cookie = re.search(r"(rampart_session=[^;]+)", reply.headers.get("set-cookie", ""))
    assert cookie, f"no session cookie in {dict(reply.headers)}"
    return cookie.group(1)


def _request_log(base_url: str, cookie: str) -> list[dict[str, str]]:
    page = requests.get(f"{base_url}/requests", headers={"Cookie": cookie}, allow_redirects=False, timeout=10)
    assert page.status_code == 200, page.status_code
    parser = _TableRows()
    parser.feed(page.text)
    if not parser.rows:
        return []
    header, *rows = parser.rows
    return [dict(zip(header, row)) for row in rows]


def test_request_metadata_headers_reach_the_request_log(
    base_url: str, api_key: str, owner: tuple[str, str]
) -> None:
    user = marker("py-user")
    session = marker("py-session")
    context = marker("checkout")
    client = openai.OpenAI(
        base_url=f"{base_url}/v1",
        api_key=api_key,
        max_retries=0,
        default_headers={"X-User-ID": user, "X-Session-ID": session},
    )
    completion = client.chat.completions.create(
        model="mock-echo",
        messages=[{"role": "user", "content": "log me"}],
        extra_headers={"X-App-Context": context},
    )
    assert completion.choices[0].message.content == "Echo: log me"
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(
            model="mock-error-500",
            messages=[{"role": "user", "content": "log my failure"}],
            extra_headers={"X-App-Context": context},
        )

    cookie = _log_in(base_url, *owner)
    deadline = time.monotonic() + 5
    while True:
        mine = [row for row in _request_log(base_url, cookie) if row.get("User") == user]
        if len(mine) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert len(mine) == 2, f"expected two rows for user {user}, found {mine}"
    by_model = {row["Model"]: row for row in mine}
    ok, failed = by_model["mock-echo"], by_model["mock-error-500"]
    assert ok["Status"] == "200"
    assert ok["Session"] == session
    assert ok["Context"] == context
    assert ok["API"].startswith("openai_chat")
    assert re.fullmatch(r"\d+ / \d+", ok["Tokens in / out"]), ok
    assert failed["Status"] == "500"
    assert failed["Session"] == session
    assert "500" in failed["Error"], failed
