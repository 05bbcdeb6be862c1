"""Shared test set-up: the xpbridge plugin, hypothesis profiles, JAX in 64-bit mode."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

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
