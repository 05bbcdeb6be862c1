"""Known deviations: where a backend cannot give the standard's answer, and why.

Each adapter declares its own (``Adapter.deviations``, built from
:class:`~xpbridge._deviation.Deviation`); this module collects them. One registry drives
three things: the errors xpbridge raises (their messages quote the reason), the strict
``xfail`` markers of the conformance suite (:func:`xpbridge.testing.plugin.mark_deviation`),
and the support table in the docs (:func:`xpbridge.testing.support_table`).
``tests/test_testing_support.py`` checks every entry names a real backend, function and
dtype.
"""

from __future__ import annotations

import importlib.util
import sys

from ._backends import BACKENDS, get_adapter
from ._deviation import Deviation
from ._errors import BridgeError

__all__ = ["DEVIATIONS", "Deviation", "deviations_of", "find", "reason_for", "registered"]

#: A fixed table that replaces the adapters' declarations when set (tests pretend with it).
DEVIATIONS: tuple[Deviation, ...] | None = None


def deviations_of(backend: str) -> tuple[Deviation, ...]:
    """The deviations of `backend` (importing its library: the caller uses the backend)."""
    if DEVIATIONS is not None:
        return tuple(d for d in DEVIATIONS if d.backend == backend)
    return get_adapter(backend).deviations


def registered() -> tuple[Deviation, ...]:
    """Every deviation of the installed backends (imports their libraries: for the docs
    and the conformance report, which ask about all of them)."""
    if DEVIATIONS is not None:
        return DEVIATIONS
    found: list[Deviation] = []
    for spec in BACKENDS:
        installed = spec.import_name in sys.modules or importlib.util.find_spec(spec.import_name)
        if not installed:
            continue
        try:
            found += get_adapter(spec.name).deviations
        except BridgeError:  # installed but broken: it has no deviations to report
            continue
    return tuple(found)


def find(
    backend: str, function: str, dtype: str | None = None, *, case: str = ""
) -> Deviation | None:
    """The first deviation registered for this backend, function and dtype, if any: one of
    every call, or one of `case` (see ``Deviation.case``)."""
    for deviation in deviations_of(backend):
        if deviation.applies(backend, function, dtype, case):
            return deviation
    return None


def reason_for(backend: str, function: str) -> str | None:
    """Why `function` is unavailable on `backend`, if the registry says."""
    for deviation in deviations_of(backend):
        if (
            deviation.kind == "unsupported"
            and not deviation.dtypes
            and deviation.applies(backend, function)
        ):
            return deviation.reason
    return None
