"""pytest plugin: run one test on every installed backend.

Enable it in a ``conftest.py``::

    pytest_plugins = ["xpbridge.testing.plugin"]

Fixtures
--------
``backend``
    A :class:`~xpbridge.testing.Backend` member, parametrized over every member; members
    whose library is missing (or that need a GPU that is absent) are skipped, unless their
    library is listed in ``XPBRIDGE_REQUIRED_BACKENDS``, which makes them fail instead.
``xp``
    An array API namespace for that backend (:func:`xpbridge.namespace`); for the variants,
    its ``asarray`` makes float arrays that require grad (``torch:grad``), read-only arrays
    (``numpy:readonly``) or arrays on a fake second device (``array_api_strict:device1``).
``device``
    A device of the backend that is *not* its default where one exists (torch's ``"meta"``,
    array-api-strict's ``device1``), so a function that forgets to pass ``device=`` fails.

Markers
-------
``@pytest.mark.skip_backend(backend, reason=...)`` and
``@pytest.mark.xfail_backend(backend, reason=..., strict=True)`` take a member, its value
(``"torch:grad"``) or a library name (``"torch"``: every torch member); both check their
arguments. ``@pytest.mark.gpu`` marks tests that need CUDA.
"""

from __future__ import annotations

from typing import Any

import pytest

from ._backends import REQUIRED_ENV, Backend, required_backends

__all__ = ["mark_deviation"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "skip_backend(backend, *, reason): skip the test on one backend or library"
    )
    config.addinivalue_line(
        "markers",
        "xfail_backend(backend, *, reason, strict=True): expect the test to fail on one backend",
    )
    config.addinivalue_line("markers", "gpu: the test needs a CUDA device")


def _matches(target: Any, member: Backend) -> bool:
    if isinstance(target, Backend):
        return target is member
    if not isinstance(target, str):
        msg = f"skip_backend/xfail_backend take a Backend or its name, got {target!r}"
        raise TypeError(msg)
    if target == member.library:
        return True
    return Backend.parse(target) is member


def _apply_markers(request: pytest.FixtureRequest, member: Backend) -> None:
    for marker in request.node.iter_markers("skip_backend"):
        reason = marker.kwargs.get("reason")
        if not reason:
            msg = "@pytest.mark.skip_backend needs a reason= saying why"
            raise ValueError(msg)
        if any(_matches(target, member) for target in marker.args):
            pytest.skip(f"{member.value}: {reason}")
    for marker in request.node.iter_markers("xfail_backend"):
        reason = marker.kwargs.get("reason")
        if not reason:
            msg = "@pytest.mark.xfail_backend needs a reason= saying why"
            raise ValueError(msg)
        if any(_matches(target, member) for target in marker.args):
            strict = marker.kwargs.get("strict", True)
            request.applymarker(pytest.mark.xfail(reason=f"{member.value}: {reason}", strict=strict))


@pytest.fixture(params=list(Backend), ids=lambda member: member.value)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each :class:`Backend` member in turn (see the module docstring)."""
    member: Backend = request.param
    why = member.missing()
    if why is not None:
        if member.library in required_backends() and not member.needs_gpu:
            pytest.fail(f"{member.value}: {why}, but {REQUIRED_ENV} requires {member.library}")
        pytest.skip(f"{member.value}: {why}")
    _apply_markers(request, member)
    return member


class VariantNamespace:
    """A backend namespace whose ``asarray`` makes the arrays of a :class:`Backend` variant."""

    def __init__(self, member: Backend) -> None:
        from .. import namespace

        self._member = member
        self._namespace = namespace(member.library, device=member.device())
        self.__name__ = f"{self._namespace.__name__}[{member.value}]"
        self.__array_api_version__ = self._namespace.__array_api_version__

    def __getattr__(self, name: str) -> Any:
        return getattr(self._namespace, name)

    def __repr__(self) -> str:
        return f"<{self.__name__}>"

    def asarray(self, obj: Any, /, **kwargs: Any) -> Any:
        x = self._namespace.asarray(obj, **kwargs)
        variant = self._member.variant
        if variant == "grad" and (x.is_floating_point() or x.is_complex()):
            if not x.requires_grad:
                x = x.detach().clone().requires_grad_(True)
        elif variant == "readonly":
            import numpy as np

            x = np.array(x, copy=True)
            x.flags.writeable = False
        return x


@pytest.fixture
def xp(backend: Backend) -> Any:
    """The array API namespace of ``backend`` (see the module docstring)."""
    if backend.variant in {"", "cuda", "device1"}:
        from .. import namespace

        return namespace(backend.library, device=backend.device())
    return VariantNamespace(backend)


@pytest.fixture
def device(backend: Backend) -> Any:
    """A non-default device of ``backend`` where it has one, else its only device."""
    if backend.library == "torch":
        import torch

        return torch.device("cuda" if backend is Backend.TORCH_CUDA else "meta")
    if backend.library == "array_api_strict":
        import array_api_strict

        return array_api_strict.Device("device1")
    from .. import namespace

    return namespace(backend.library).__array_namespace_info__().default_device()


def mark_deviation(
    request: pytest.FixtureRequest, backend: Backend | str, function: str, dtype: str | None = None
) -> None:
    """Mark the running test strict-xfail if the deviations registry lists this case.

    The registry (``xpbridge._deviations``) says where a backend cannot give the standard's
    answer; a case that starts working makes the strict xfail fail, so the registry stays
    true.
    """
    from .._deviations import find

    library = backend.library if isinstance(backend, Backend) else backend
    found = find(library, function, dtype)
    if found is not None:
        request.applymarker(pytest.mark.xfail(reason=found.reason, strict=True))
