"""Fixtures for the reviewer's tests: a real client on the chat server (`chat`), a reviewer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from chat_server import ChatServer
from openai import AsyncOpenAI

from reviewer.review import Reviewer

TEST_TIMEOUT_S = 0.5


@pytest.fixture
async def client(chat: ChatServer) -> AsyncIterator[AsyncOpenAI]:
    """The real `openai` client, pointed at the test server."""
    async with AsyncOpenAI(api_key="test-key", base_url=chat.url) as openai_client:
        yield openai_client


@pytest.fixture
def make_reviewer(client: AsyncOpenAI, tmp_path: Path) -> Callable[..., Reviewer]:
    """Build a Reviewer on the test client: short timeout, token ledger in `tmp_path`."""

    def make(**options: Any) -> Reviewer:
        options.setdefault("timeout_s", TEST_TIMEOUT_S)
        options.setdefault("token_file", tmp_path / "reviewer-tokens.json")
        return Reviewer(client, model="test-model", **options)

    return make
