"""pytest plugin: run one test on every installed backend.

Enable it in a ``conftest.py``::

    pytest_plugins = ["xpbridge.testing.plugin"]

Fixtures (session-scoped, so they combine with hypothesis' ``@given``)
-----------------------------------------------------------------------
``backend``
    A :class:`~xpbridge.testing.Backend` member, parametrized over every member; a member
    whose library is not installed (or that needs a CUDA device that is absent) is skipped
    with that reason, unless ``XPBRIDGE_REQUIRED_BACKENDS`` lists it, which fails it instead.
``xp``
    An array API namespace for that backend (:func:`xpbridge.namespace`). For the variants,
    its creation functions (``asarray``, ``ones``, ``arange``...) make float arrays that
    require grad (``torch:grad``), read-only arrays (``numpy:readonly``), or arrays on a fake
    second device (``array_api_strict:device1``).
``device``
    A device of the backend that is *not* its default where one exists (torch's ``"meta"``,
    or CUDA for ``torch:cuda``; array-api-strict's ``device1``), so that a function that
    forgets to pass ``device=`` on fails.

Markers
-------
``@pytest.mark.skip_backend(*backends, reason=...)`` and
``@pytest.mark.xfail_backend(*backends, reason=..., strict=True)`` take members, their
values (``"torch:grad"``) or library names (``"torch"``: every torch member). A marker
without a reason, with an unknown backend or on a test that uses none of the fixtures is an
error of that test, not a silent no-op. ``@pytest.mark.gpu`` skips a test where neither torch
nor CuPy reaches a CUDA device.

Environment
-----------
``XPBRIDGE_REQUIRED_BACKENDS=numpy,torch,dask``: these must run here. Library names cover
their CPU members (``torch`` means ``torch`` and ``torch:grad``); GPU members are listed by
value (``torch:cuda``, ``cupy``). A listed backend that is missing fails its tests and the
run, so a broken CI image cannot turn into a green, skipped run.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest

from ._backends import REQUIRED_ENV, Backend, required_backends

__all__ = ["VariantNamespace", "mark_deviation"]

_MARKERS = {
    "skip_backend": "skip_backend(*backends, reason): skip the test on these backends",
    "xfail_backend": (
        "xfail_backend(*backends, reason, strict=True): expect the test to fail on these backends"
    ),
    "gpu": "gpu: the test needs a CUDA device (skipped without one)",
    "device_variants": (
        "device_variants: also run the test on the opt-in device variants "
        "(array_api_strict:no_float64, a device without float64)"
    ),
}
#: Environment variable that runs every test on the opt-in device variants too.
DEVICE_VARIANTS_ENV = "XPBRIDGE_DEVICE_VARIANTS"
_FIXTURES = ("backend", "xp", "device")


def pytest_configure(config: pytest.Config) -> None:
    for line in _MARKERS.values():
        config.addinivalue_line("markers", line)
    try:
        required_backends()
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None


@functools.cache
def _missing(member: Backend) -> str | None:
    return member.missing()


def _required(member: Backend) -> bool:
    listed = required_backends()
    return member.value in listed or (member.library in listed and not member.needs_gpu)


def _required_missing() -> list[str]:
    return [
        f"{member.value} ({why})"
        for member in Backend
        if _required(member) and (why := _missing(member)) is not None
    ]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave the opt-in members (``Row.opt_in``) to the tests that ask for them."""
    import os

    if os.environ.get(DEVICE_VARIANTS_ENV, "").strip() not in {"", "0"}:
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        member = _member_of(item)
        opted = item.get_closest_marker("device_variants") is not None
        (dropped if member is not None and member.opt_in and not opted else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_report_header(config: pytest.Config) -> list[str]:
    from .._backends import available_backends

    installed = sorted(available_backends())
    lines = [f"xpbridge backends installed: {', '.join(installed)}"]
    listed = required_backends()
    if listed:
        lines.append(f"xpbridge backends required ({REQUIRED_ENV}): {', '.join(sorted(listed))}")
    return lines


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # A required backend that no test happened to ask for still fails the run.
    quiet = {pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED}
    if _required_missing() and session.exitstatus in quiet:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    missing = _required_missing()
    if missing:
        terminalreporter.write_line(
            f"xpbridge: {REQUIRED_ENV} requires backends that are missing here: "
            f"{'; '.join(missing)}",
            red=True,
        )


# ---------------------------------------------------------------------- markers


def _parse_target(target: Any, marker: str) -> set[Backend]:
    if isinstance(target, Backend):
        return {target}
    if isinstance(target, str):
        members = {m for m in Backend if target == m.library}
        if members:
            return members
        try:
            return {Backend.parse(target)}
        except ValueError as exc:
            msg = f"@pytest.mark.{marker}: {exc}"
            raise _MarkerError(msg) from None
    msg = (
        f"@pytest.mark.{marker} takes Backend members or their names (a library, or a "
        f"member's value), got {target!r} of type {type(target).__name__}"
    )
    raise _MarkerError(msg)


class _MarkerError(Exception):
    pass


def _read_marker(marker: pytest.Mark) -> tuple[set[Backend], str, bool]:
    """The members a marker names, its reason and strictness; _MarkerError if misused."""
    allowed = {"reason", "strict"} if marker.name == "xfail_backend" else {"reason"}
    unknown = set(marker.kwargs) - allowed
    if unknown:
        msg = f"@pytest.mark.{marker.name} got unknown arguments {sorted(unknown)}"
        raise _MarkerError(msg)
    if not marker.args:
        msg = f"@pytest.mark.{marker.name} needs at least one backend"
        raise _MarkerError(msg)
    reason = marker.kwargs.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        msg = f"@pytest.mark.{marker.name} needs reason='...' saying why, got {reason!r}"
        raise _MarkerError(msg)
    strict = marker.kwargs.get("strict", True)
    if not isinstance(strict, bool):
        msg = f"@pytest.mark.{marker.name}: strict must be True or False, got {strict!r}"
        raise _MarkerError(msg)
    members: set[Backend] = set()
    for target in marker.args:
        members |= _parse_target(target, marker.name)
    return members, reason, strict


def _member_of(item: pytest.Item) -> Backend | None:
    callspec = getattr(item, "callspec", None)
    value = None if callspec is None else callspec.params.get("backend")
    if value is None:
        return None
    return Backend.parse(value)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Apply (and check) skip_backend/xfail_backend before fixtures are set up."""
    if item.get_closest_marker("gpu") is not None:
        _skip_without_gpu()
    markers = [*item.iter_markers("skip_backend"), *item.iter_markers("xfail_backend")]
    if not markers:
        return
    member = _member_of(item)
    try:
        if member is None:
            names = ", ".join(sorted({m.name for m in markers}))
            msg = (
                f"@pytest.mark.{names} on a test that uses none of the fixtures "
                f"{', '.join(_FIXTURES)}: it would do nothing"
            )
            raise _MarkerError(msg)
        read = [(marker.name, *_read_marker(marker)) for marker in markers]
    except _MarkerError as exc:
        pytest.fail(str(exc), pytrace=False)
    # As markers, so that pytest's own skipping plugin (which runs next) reports them at
    # the test's location, like any skip or xfail.
    for name, members, reason, strict in read:
        if member not in members:
            continue
        if name == "skip_backend":
            item.add_marker(pytest.mark.skip(reason=f"{member.value}: {reason}"))
        else:
            item.add_marker(pytest.mark.xfail(reason=f"{member.value}: {reason}", strict=strict))


def _skip_without_gpu() -> None:
    members = [m for m in Backend if m.needs_gpu]
    reasons = [_missing(m) for m in members]
    if all(reasons):
        why = "; ".join(str(r) for r in reasons) or "no backend here runs on one"
        if any(_required(m) for m in members):
            pytest.fail(f"needs a CUDA device, required by {REQUIRED_ENV}: {why}", pytrace=False)
        pytest.skip(f"needs a CUDA device: {why}")


# ---------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session", params=list(Backend), ids=lambda member: member.value)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each :class:`Backend` member in turn (see the module docstring)."""
    member: Backend = request.param
    _use(member)
    return member


def _use(member: Backend) -> None:
    """Skip the running test where `member` cannot run here (fail it where
    ``XPBRIDGE_REQUIRED_BACKENDS`` requires the member), else import its library."""
    why = _missing(member)
    if why is not None:
        if _required(member):
            pytest.fail(f"{member.value}: {why}, but {REQUIRED_ENV} requires it", pytrace=False)
        pytest.skip(f"{member.value}: {why}")
    from .._backends import get_adapter

    # Import the library now, once per session, rather than inside the first test (where
    # seconds of `import torch` would count against hypothesis' deadline).
    get_adapter(member.library)


# Creation functions of the standard that make new arrays from scratch or from data.
_CREATION = frozenset(
    {
        "arange",
        "asarray",
        "empty",
        "empty_like",
        "eye",
        "from_dlpack",
        "full",
        "full_like",
        "linspace",
        "ones",
        "ones_like",
        "zeros",
        "zeros_like",
    }
)


class VariantNamespace:
    """A backend namespace whose creation functions make the arrays of a :class:`Backend`
    variant (``torch:grad``: float arrays that require grad; ``numpy:readonly``: read-only
    arrays). For a member on a device of its own (``array_api_strict:device1``, the
    float32-only ``array_api_strict:no_float64``, ``torch:cuda``), every function checks
    that its results stay on the device of its inputs (or, without array inputs, the
    member's device): code that forgets ``device=`` fails here as it would on a GPU.
    Everything else is the backend's namespace itself."""

    def __init__(self, member: Backend) -> None:
        from .._namespace import namespace

        self._member = member
        self._namespace = namespace(member.library, device=member.device())
        self.__name__ = f"{self._namespace.__name__}[{member.value}]"
        self.__array_api_version__ = self._namespace.__array_api_version__

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._namespace, name)
        if name in {"linalg", "fft"} and self._member.row.device is not None:
            value = _DeviceChecked(value, self._member)
        elif callable(value) and self._member.row.device is not None:
            value = _device_checked(value, self._member)
        if name in _CREATION:
            make = value

            @functools.wraps(make)
            def creation(*args: Any, **kwargs: Any) -> Any:
                return self._variant(make(*args, **kwargs))

            value = creation
        setattr(self, name, value)
        return value

    def __dir__(self) -> list[str]:
        return dir(self._namespace)

    def __repr__(self) -> str:
        return f"<{self.__name__}>"

    def _variant(self, x: Any) -> Any:
        return _variant_array(self._member, x)


def _is_variant(member: Backend) -> bool:
    """Whether `member` changes the arrays its namespace makes or checks where its results
    live (see :class:`Row`)."""
    return member.row.requires_grad or member.row.readonly or member.row.device is not None


class _DeviceChecked:
    """The ``linalg`` or ``fft`` part of a namespace, its functions device-checked."""

    def __init__(self, extension: Any, member: Backend) -> None:
        self._extension, self._member = extension, member

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._extension, name)
        return _device_checked(value, self._member) if callable(value) else value


def _device_checked(function: Any, member: Backend) -> Any:
    """`function`, asserting that its array results live where its array inputs do (the
    member's device when it has none; a call that names a device is not checked)."""
    from .._backends import adapter_for_type, get_adapter

    adapter = get_adapter(member.library)
    home = adapter.device_str(member.device())

    def where(value: Any) -> str | None:
        if adapter_for_type(type(value)) is not adapter:
            return None  # not an array of the member's library
        return adapter.device_str(adapter.device(value))

    def arrays(values: Any) -> list[Any]:
        if isinstance(values, tuple | list):
            return [v for item in values for v in arrays(item)]
        return [values]

    @functools.wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        result = function(*args, **kwargs)
        if kwargs.get("device") is not None:
            return result  # the call asked for a device
        found = {where(v) for v in arrays([*args, *kwargs.values()])} - {None}
        expected = found.pop() if len(found) == 1 else home if not found else None
        if expected is None:
            return result  # inputs on several devices: the library's own rules apply
        for value in arrays(result):
            device = where(value)
            if device is not None and device != expected:
                name = getattr(function, "__name__", repr(function))
                msg = (
                    f"{member.value}: {name} returned an array on {device}, but its inputs "
                    f"(or the namespace's default) are on {expected}: results must stay on "
                    "the inputs' device (pass device= on to the functions that make arrays)"
                )
                raise AssertionError(msg)
        return result

    return checked


def _variant_array(member: Backend, x: Any) -> Any:
    """`x` made an array of `member`'s variant (new memory: the caller's data stays as it
    was)."""
    if member.row.requires_grad:
        make = member.backend_row.make_requires_grad
        if make is None:
            msg = f"{member.value}: {member.library} has no autograd (make_requires_grad)"
            raise TypeError(msg)
        x = make(x)
    if member.row.readonly:
        freeze = member.backend_row.make_readonly
        if freeze is None:
            msg = f"{member.value}: {member.library} has no read-only arrays (make_readonly)"
            raise TypeError(msg)
        from .. import asarray

        x = freeze(asarray(x, copy=True))
    return x


@pytest.fixture(scope="session")
def xp(backend: Backend) -> Any:
    """The array API namespace of ``backend`` (see the module docstring)."""
    if _is_variant(backend):
        return VariantNamespace(backend)
    from .._namespace import namespace

    return namespace(backend.library, device=backend.device())


@pytest.fixture(scope="session")
def device(backend: Backend) -> Any:
    """A non-default device of ``backend`` where it has one, else its only device: the
    member's own device, else its backend's ``test_device`` (see :class:`Row`), else the
    library's default."""
    from .._backends import get_adapter

    adapter = get_adapter(backend.library)
    spelling = backend.row.device or backend.backend_row.test_device
    if spelling is None:
        return adapter.default_device()
    return adapter.native_device(spelling)


def mark_deviation(
    request: pytest.FixtureRequest, backend: Backend | str, function: str, dtype: Any = None
) -> None:
    """Mark the running test strict-xfail if the deviations registry lists this case.

    The registry (``xpbridge._deviations``) says where a backend cannot give the standard's
    answer; a case that starts working makes the strict xfail fail, so the registry stays
    true. `dtype` may be any dtype spelling.
    """
    from .._deviations import find
    from .._dtypes import dtype_name

    library = backend.library if isinstance(backend, Backend) else Backend.parse(backend).library
    name = None if dtype is None else dtype_name(dtype)
    found = find(library, function, name)
    if found is not None:
        reason = f"{library} {function}: {found.reason}"
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
