"""Shared fixtures for the SDK tests.

They talk to a running rampart that `end2end/run.sh` started and bootstrapped:
RAMPART_BASE_URL (http://HOST:PORT) and RAMPART_API_KEY name it, and
RAMPART_EMAIL / RAMPART_PASSWORD are the bootstrapped owner's credentials
(used to read the request log through the dashboard).
"""

import os
import time

import anthropic
import openai
import pytest
import requests


def _env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.fail(f"{name} is not set: run these tests through end2end/run.sh", pytrace=False)
    return value


@pytest.fixture(scope="session")
def base_url() -> str:
    return _env("RAMPART_BASE_URL").rstrip("/")


@pytest.fixture(scope="session")
def api_key(base_url: str) -> str:
    key = _env("RAMPART_API_KEY")
    # A running server loads new keys by polling: wait until this one works.
    deadline = time.monotonic() + 5
    while True:
        status = requests.get(f"{base_url}/v1/models", headers={"Authorization": f"Bearer {key}"}, timeout=5).status_code
        if status != 401 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status == 200, f"GET /v1/models with the bootstrapped key answered {status}"
    return key


@pytest.fixture(scope="session")
def owner() -> tuple[str, str]:
    return _env("RAMPART_EMAIL"), _env("RAMPART_PASSWORD")


@pytest.fixture()
def oai(base_url: str, api_key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{base_url}/v1", api_key=api_key, max_retries=0, timeout=30)


@pytest.fixture()
def claude(base_url: str, api_key: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=base_url, api_key=api_key, max_retries=0, timeout=30)
