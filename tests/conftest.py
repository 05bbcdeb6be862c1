"""Shared test set-up: the xpbridge plugin, hypothesis profiles, JAX in 64-bit mode, and the
``library``/``source``/``target`` fixtures over the backend registry.

The plugin's ``backend``/``xp``/``device`` fixtures run a test on every member of
:class:`xpbridge.testing.Backend` (each registered backend and the variants). Tests about
the libraries themselves (conversions between every pair, what each library is asked for)
take the fixtures here instead: one registered backend's name each, the same members' plain
libraries, skipped like the plugin skips them (failed where ``XPBRIDGE_REQUIRED_BACKENDS``
requires them). A newly registered backend is in all of them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from xpbridge.testing import Backend

if TYPE_CHECKING:
    from collections.abc import Sequence

# pytester runs small downstream projects in-process (tests/test_testing_plugin.py).
pytest_plugins = ["xpbridge.testing.plugin", "pytester"]

settings.register_profile(
    "default",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
)
settings.register_profile(
    "thorough",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
)
settings.load_profile(os.environ.get("XPBRIDGE_HYPOTHESIS_PROFILE", "default"))


def pytest_configure() -> None:
    # JAX narrows float64 to float32 unless 64-bit mode is on; the suite compares against
    # NumPy's float64, so it turns the mode on when JAX is installed (tests of the 32-bit
    # behaviour switch it off locally).
    try:
        import jax
    except ImportError:
        return
    jax.config.update("jax_enable_x64", True)


# ---------------------------------------------------------------------- the registry's backends

#: One member per registered backend (``xpbridge._backends.BACKENDS``), without variants.
LIBRARIES: Sequence[Backend] = tuple(member for member in Backend if not member.variant)


def _library(request: pytest.FixtureRequest) -> str:
    from xpbridge.testing import plugin  # not at the top: pytest loads it as a plugin first

    member: Backend = request.param
    plugin._use(member)  # skip (or fail, where required) if it cannot run here
    return member.library


@pytest.fixture(scope="session", params=LIBRARIES, ids=lambda member: member.value)
def library(request: pytest.FixtureRequest) -> str:
    """Each registered backend's name in turn (``"numpy"``, ``"torch"``...)."""
    return _library(request)


@pytest.fixture(scope="session", params=LIBRARIES, ids=lambda member: member.value)
def source(request: pytest.FixtureRequest) -> str:
    """The library a conversion starts from: each registered backend in turn."""
    return _library(request)


@pytest.fixture(scope="session", params=LIBRARIES, ids=lambda member: member.value)
def target(request: pytest.FixtureRequest) -> str:
    """The library a conversion goes to: each registered backend in turn (with ``source``:
    every pair)."""
    return _library(request)
