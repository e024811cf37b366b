"""Fixtures for the attack suite."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def client_ip() -> str:
    """A fresh address per test, so counters in the shared Redis never collide."""
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}"
