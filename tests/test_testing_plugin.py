"""The pytest plugin, run on small downstream projects with pytester (in-process)."""

from __future__ import annotations

from typing import Any

import pytest

import xpbridge as xb
from xpbridge import _deviations
from xpbridge._backends import get_adapter
from xpbridge.testing import REQUIRED_ENV, Backend, plugin

_CONFTEST = 'pytest_plugins = ["xpbridge.testing.plugin"]\n'

_MY_NORM = """
import xpbridge as xb
from xpbridge.testing import assert_close


def my_norm(x):
    return xb.sqrt(xb.sum(x * x))


def test_my_norm(xp):
    x = xp.asarray([3.0, 4.0])
    assert_close(my_norm(x), xp.asarray(5.0))
"""


#: The members a test runs on unless it asks for the opt-in ones (device_variants).
DEFAULT_MEMBERS = [m for m in Backend if not m.opt_in]


def _present() -> list[Backend]:
    return [m for m in DEFAULT_MEMBERS if plugin._missing(m) is None]


def _absent() -> list[Backend]:
    return [m for m in DEFAULT_MEMBERS if plugin._missing(m) is not None]


@pytest.fixture(autouse=True)
def _keep_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make pytester's in-process runs safe for the backends' libraries.

    pytester forgets the modules imported during a run, and restores ``sys.meta_path``;
    torch and JAX cannot be imported twice in one process (a segfault), and importing Dask
    installs the ``importlib_metadata`` finder on ``sys.meta_path`` while removing the
    standard library's, so that restoring the list leaves no finder of installed packages.
    So: import the backends first, and keep every module but the project's own.
    Autouse, because pytester takes its snapshot when it is created.
    """
    from _pytest import pytester as pytester_module

    for member in _present():
        xb.namespace(member.library)

    class KeepLibraries(pytester_module.SysModulesSnapshot):
        def __init__(self, preserve: Any = None) -> None:
            super().__init__(preserve=lambda name: not name.startswith(("test_", "conftest")))

    monkeypatch.setattr(pytester_module, "SysModulesSnapshot", KeepLibraries)


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A downstream project that loads the plugin, with no backend required."""
    monkeypatch.delenv(REQUIRED_ENV, raising=False)
    pytester.makeconftest(_CONFTEST)
    return pytester


def _pretend_missing(monkeypatch: pytest.MonkeyPatch, *members: Backend) -> None:
    real = plugin._missing

    def missing(member: Backend) -> str | None:
        return "pretended missing for this test" if member in members else real(member)

    monkeypatch.setattr(plugin, "_missing", missing)


# ---------------------------------------------------------------------- parametrization


def test_a_test_runs_once_per_backend(project: pytest.Pytester) -> None:
    project.makepyfile(test_norm=_MY_NORM)
    result = project.runpytest("-v", "-rs")
    result.assert_outcomes(passed=len(_present()), skipped=len(_absent()))
    result.stdout.fnmatch_lines([f"*test_my_norm?{m.value}? PASSED*" for m in _present()])
    for member in _absent():
        # The reason says why: not installed, or no CUDA device.
        result.stdout.fnmatch_lines([f"SKIPPED*{member.value}: {plugin._missing(member)}*"])


def test_skip_reasons_name_the_cause(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "dask" else real(name, *a)
    )
    assert Backend.DASK.missing() == "dask is not installed"
    torch_missing = Backend.TORCH_CUDA.missing()
    if torch_missing is not None:
        assert torch_missing in {"no CUDA device here", "torch is not installed"}


def test_fixtures_combine_with_hypothesis(project: pytest.Pytester) -> None:
    # Session-scoped fixtures: no function_scoped_fixture health check.
    project.makepyfile(
        test_h="""
        from hypothesis import given, settings, strategies as st
        import xpbridge as xb
        from xpbridge.testing import assert_equal
        from xpbridge.testing.strategies import arrays

        @settings(max_examples=5)
        @given(n=st.integers(0, 100))
        def test_sum(xp, n):
            assert_equal(xb.sum(xp.asarray([n, 1])), xb.sum(xp.asarray([1, n])))

        @settings(max_examples=5)
        @given(data=st.data())
        def test_arrays(backend, data):
            x = data.draw(arrays(backend, shape=(2,)))
            assert xb.backend_of(x) == backend.library
        """
    )
    result = project.runpytest()
    result.assert_outcomes(passed=2 * len(_present()), skipped=2 * len(_absent()))


def test_report_header_lists_backends(project: pytest.Pytester, monkeypatch: Any) -> None:
    monkeypatch.setenv(REQUIRED_ENV, "numpy")
    project.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = project.runpytest()
    result.stdout.fnmatch_lines(
        [
            "xpbridge backends installed: *numpy*",
            f"xpbridge backends required ({REQUIRED_ENV}): numpy",
        ]
    )
    assert result.ret == pytest.ExitCode.OK


# ---------------------------------------------------------------------- required backends


def test_a_required_backend_that_is_missing_fails(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pretend_missing(monkeypatch, Backend.DASK)
    monkeypatch.setenv(REQUIRED_ENV, "numpy,dask")
    project.makepyfile(test_norm=_MY_NORM)
    result = project.runpytest("-rs")
    # dask errors (it is required), the other missing members skip.
    result.assert_outcomes(passed=len(_present()), skipped=len(_absent()) - 1, errors=1)
    result.stdout.fnmatch_lines(
        [
            f"*dask: pretended missing for this test, but {REQUIRED_ENV} requires it*",
            f"xpbridge: {REQUIRED_ENV} requires backends that are missing here: dask (*",
        ]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_cupy_missing_here_fails_when_required(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real thing, not a pretence, where this machine has no working CuPy.
    if plugin._missing(Backend.CUPY) is None:
        pytest.skip("CuPy works here: nothing is missing")
    monkeypatch.setenv(REQUIRED_ENV, "cupy")
    project.makepyfile(test_norm=_MY_NORM)
    result = project.runpytest()
    result.stdout.fnmatch_lines([f"*cupy: {plugin._missing(Backend.CUPY)}, but*requires it*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_library_name_requires_its_cpu_members(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pretend_missing(monkeypatch, Backend.TORCH_GRAD, Backend.TORCH_CUDA)
    monkeypatch.setenv(REQUIRED_ENV, "torch")
    project.makepyfile(test_norm=_MY_NORM)
    result = project.runpytest("-rs", "-k", "torch")
    # torch:grad is required (a CPU member): error; torch:cuda needs a GPU: still skipped.
    result.stdout.fnmatch_lines(
        ["*ERROR*test_my_norm?torch:grad?*", "SKIPPED*torch:cuda: pretended missing*"]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_gpu_member_is_required_by_its_value(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pretend_missing(monkeypatch, Backend.TORCH_CUDA)
    monkeypatch.setenv(REQUIRED_ENV, "torch:cuda")
    project.makepyfile(test_norm=_MY_NORM)
    result = project.runpytest("-k", "cuda")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*torch:cuda: pretended missing*but {REQUIRED_ENV}*"])


def test_the_run_fails_even_if_no_test_asks_for_the_backend(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pretend_missing(monkeypatch, Backend.JAX)
    monkeypatch.setenv(REQUIRED_ENV, "jax")
    project.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = project.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"xpbridge: {REQUIRED_ENV} requires*jax (pretended*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_an_unknown_required_name_is_a_usage_error(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(REQUIRED_ENV, "numpy, pytorch")
    project.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = project.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{REQUIRED_ENV} lists unknown backends ?'pytorch'?;*"])


# ---------------------------------------------------------------------- markers


def test_markers_skip_and_xfail_the_right_members(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_write="""
        import pytest
        from xpbridge.testing import Backend

        @pytest.mark.skip_backend("torch", "jax", reason="tested elsewhere")
        @pytest.mark.xfail_backend(Backend.NUMPY_READONLY, reason="writes into its input")
        def test_write(xp):
            x = xp.zeros(3)
            x[0] = 1.0
        """
    )
    result = project.runpytest("-rsx")
    by_marker = {m for m in DEFAULT_MEMBERS if m.library in {"torch", "jax"}}
    xfailed = {Backend.NUMPY_READONLY}
    skipped = by_marker | set(_absent())
    passed = set(DEFAULT_MEMBERS) - skipped - xfailed
    result.assert_outcomes(passed=len(passed), skipped=len(skipped), xfailed=len(xfailed))
    result.stdout.fnmatch_lines(
        [
            "SKIPPED [[]1[]] test_write.py:*: torch:grad: tested elsewhere",
            "XFAIL test_write.py::test_write?numpy:readonly? - numpy:readonly: writes into its*",
        ]
    )


def test_xfail_backend_is_strict(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_passes="""
        import pytest

        @pytest.mark.xfail_backend("numpy:readonly", reason="expected to break")
        def test_strict(xp):
            pass

        @pytest.mark.xfail_backend("numpy:readonly", reason="may break", strict=False)
        def test_lenient(xp):
            pass
        """
    )
    result = project.runpytest("-k", "readonly")
    result.assert_outcomes(failed=1, xpassed=1)
    result.stdout.fnmatch_lines(["*XPASS(strict)*numpy:readonly: expected to break*"])


_MISUSES = [
    ('@pytest.mark.skip_backend("torch")', "needs reason='...' saying why, got None"),
    ('@pytest.mark.xfail_backend("torch", reason="  ")', "needs reason='...' saying why"),
    ('@pytest.mark.skip_backend(3, reason="r")', "takes Backend members or their names"),
    ('@pytest.mark.skip_backend("pytorch", reason="r")', "unknown backend 'pytorch'"),
    ('@pytest.mark.xfail_backend("torch", reason="r", strict="yes")', "strict must be True"),
    ('@pytest.mark.skip_backend(reason="r")', "needs at least one backend"),
    ('@pytest.mark.skip_backend("torch", reason="r", when=1)', "unknown arguments ?'when'?"),
]


@pytest.mark.parametrize(("decorator", "message"), _MISUSES)
def test_a_misused_marker_is_an_error(
    project: pytest.Pytester, decorator: str, message: str
) -> None:
    project.makepyfile(test_misuse=f"import pytest\n\n{decorator}\ndef test_it(xp):\n    pass\n")
    result = project.runpytest()
    # Every member errors, installed or not: the marker is checked before anything else.
    result.assert_outcomes(errors=len(DEFAULT_MEMBERS))
    result.stdout.fnmatch_lines([f"*{message}*"])
    assert "plugin.py" not in result.stdout.str()  # the message, not the plugin's traceback


def test_a_marker_needs_the_fixtures(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_no_fixture="""
        import pytest

        @pytest.mark.skip_backend("torch", reason="r")
        def test_it():
            pass
        """
    )
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*uses none of the fixtures backend, xp, device*"])


def test_markers_are_registered(project: pytest.Pytester) -> None:
    result = project.runpytest("--markers")
    result.stdout.fnmatch_lines(
        ["*skip_backend(*backends, reason)*", "*xfail_backend(*", "*gpu: the test needs a CUDA*"]
    )


def test_gpu_marker(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    project.makepyfile(test_gpu="import pytest\n\n@pytest.mark.gpu\ndef test_on_gpu():\n    pass\n")
    _pretend_missing(monkeypatch, Backend.TORCH_CUDA, Backend.CUPY)
    result = project.runpytest("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*needs a CUDA device: pretended missing*"])
    monkeypatch.setenv(REQUIRED_ENV, "cupy")
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*needs a CUDA device, required by {REQUIRED_ENV}*"])


def test_gpu_marker_runs_where_cuda_is(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plugin, "_missing", lambda m: None if m is Backend.TORCH_CUDA else "no")
    project.makepyfile(test_gpu="import pytest\n\n@pytest.mark.gpu\ndef test_on_gpu():\n    pass\n")
    project.runpytest().assert_outcomes(passed=1)


# ---------------------------------------------------------------------- deviations


def test_mark_deviation_xfails_what_the_registry_lists(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _deviations.Deviation("numpy", "sum", "a pretend reason", dtypes=("int8",))
    monkeypatch.setattr(_deviations, "DEVIATIONS", (fake,))
    project.makepyfile(
        test_dev="""
        import pytest
        from xpbridge.testing.plugin import mark_deviation

        @pytest.mark.parametrize("dtype", ["int8", "int16"])
        def test_sum(request, backend, dtype):
            mark_deviation(request, backend, "sum", dtype)
            assert not (backend.library == "numpy" and dtype == "int8")
        """
    )
    result = project.runpytest("-rx", "-k", "numpy")
    numpy_members = [m for m in _present() if m.library == "numpy"]
    result.assert_outcomes(passed=len(numpy_members), xfailed=len(numpy_members))
    result.stdout.fnmatch_lines(["XFAIL*numpy sum: a pretend reason*"])


# ---------------------------------------------------------------------- fixtures directly


def test_device_fixture_is_not_the_default(backend: Backend, device: Any, xp: Any) -> None:
    default = get_adapter(backend.library).default_device()
    if backend.row.device or backend.backend_row.test_device:  # the variant table names one
        assert device != default  # so a forgotten device= shows
    x = xp.zeros(2, device=device)
    assert get_adapter(backend.library).device(x) == device


def test_xp_makes_the_variant_arrays(backend: Backend, xp: Any) -> None:
    made = [xp.asarray([1.0, 2.0]), xp.ones(3), xp.zeros_like(xp.ones(2)), xp.linspace(0, 1, 3)]
    whole = xp.arange(3)  # an integer array: cannot require grad
    if backend.row.requires_grad:
        assert all(xb.requires_grad(x) and xb.info(x).is_leaf for x in made)
        assert not xb.requires_grad(whole)
    else:
        assert not any(xb.requires_grad(x) for x in made)
    if backend.row.readonly:
        assert all(xb.info(x).readonly for x in [*made, whole])
    else:  # writable, unless the library's arrays never are (JAX)
        assert not any(xb.info(x).readonly and not xb.info(x).immutable for x in [*made, whole])
    if backend.device() is not None:
        own = get_adapter(backend.library)
        assert all(own.device(x) == backend.device() for x in made)
    assert xb.backend_of(made[0]) == backend.library


def test_variant_namespace_looks_like_its_backend() -> None:
    xp = plugin.VariantNamespace(Backend.NUMPY_READONLY)
    assert repr(xp) == "<xpbridge.namespace('numpy')[numpy:readonly]>"
    assert xp.__array_api_version__ == xb.namespace("numpy").__array_api_version__
    assert "sum" in dir(xp)
    assert xp.sum is xb.namespace("numpy").sum  # only creation functions are wrapped
    assert xp.asarray is xp.asarray  # wrapped once, then cached


def test_mark_deviation_takes_names(monkeypatch: pytest.MonkeyPatch) -> None:
    applied: list[Any] = []

    class Request:
        def applymarker(self, marker: Any) -> None:
            applied.append(marker)

    fake = _deviations.Deviation("torch", "sum", "pretend", dtypes=("uint8",))
    monkeypatch.setattr(_deviations, "DEVIATIONS", (fake,))
    plugin.mark_deviation(Request(), "torch:grad", "sum", xb.uint8)  # type: ignore[arg-type]
    plugin.mark_deviation(Request(), "torch", "sum", "int8")  # type: ignore[arg-type]
    assert len(applied) == 1
    assert applied[0].kwargs == {"reason": "torch sum: pretend", "strict": True}
