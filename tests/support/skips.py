"""Tests that need a tool this machine may lack skip with the reason; CI fails instead."""

import os

import pytest


def require(condition: bool, reason: str) -> None:
    """Skip when a tool this test needs is missing; in CI (IMAGING_DESK_REQUIRE_ALL=1) fail."""
    if condition:
        return
    if os.environ.get("IMAGING_DESK_REQUIRE_ALL") == "1":
        pytest.fail(f"required in CI but missing: {reason}")
    pytest.skip(reason)
