"""Device variants of the plugin: the float32-only device, and results kept on the inputs'
device (array-api-strict's fake devices make both testable on a CPU-only machine)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

import xpbridge as xb
from xpbridge.testing import Backend, plugin

if TYPE_CHECKING:
    from collections.abc import Callable

strict = pytest.importorskip("array_api_strict")

NO_FLOAT64 = Backend.ARRAY_API_STRICT_NO_FLOAT64


def test_the_float32_only_member() -> None:
    assert NO_FLOAT64.value == "array_api_strict:no_float64"
    assert NO_FLOAT64.row.float32_only
    assert NO_FLOAT64.opt_in
    assert not Backend.ARRAY_API_STRICT.opt_in
    assert NO_FLOAT64.device() == strict.Device("no_float64")


@pytest.mark.device_variants
def test_float32_only_namespace(backend: Backend, xp: Any) -> None:
    """Runs on every member, the opt-in ones included (the marker asks for them)."""
    x = xp.asarray([1.0, 2.0])
    info = xp.__array_namespace_info__()
    device = backend.device()  # the member's own device (None: the default one)
    assert x.dtype == info.default_dtypes(device=device)["real floating"]
    assert xp.mean(x).dtype == x.dtype
    if backend is NO_FLOAT64:
        assert x.dtype == xp.float32
        assert x.device == strict.Device("no_float64")
        with pytest.raises(ValueError, match="float64"):
            xp.ones(2, dtype=xp.float64)


def test_opt_in_members_run_only_when_asked(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["xpbridge.testing.plugin"]\n')
    pytester.makepyfile(
        """
        import pytest

        def test_plain(xp):
            pass

        @pytest.mark.device_variants
        def test_asked(xp):
            pass
        """
    )
    result = pytester.runpytest_inprocess("--collect-only", "-q")
    ids = result.stdout.str()
    assert "test_asked[array_api_strict:no_float64]" in ids
    assert "test_plain[array_api_strict:no_float64]" not in ids
    assert "test_plain[array_api_strict:device1]" in ids


def _checked(function: Callable[..., Any], member: Backend = NO_FLOAT64) -> Callable[..., Any]:
    return plugin._device_checked(function, member)


def test_results_must_stay_on_the_inputs_device() -> None:
    def forgets_the_device(x: Any) -> Any:
        return strict.asarray([1.0], dtype=x.dtype)  # on the default device

    x = strict.asarray([1.0], dtype=strict.float32, device=strict.Device("no_float64"))
    with pytest.raises(AssertionError, match="returned an array on cpu"):
        _checked(forgets_the_device)(x)
    # Passing the device on keeps it: nothing to say.
    keeps = _checked(lambda x: strict.asarray([1.0], dtype=x.dtype, device=x.device))
    assert keeps(x).device == x.device


def test_without_array_inputs_the_members_device_is_expected() -> None:
    with pytest.raises(AssertionError, match="returned an array on cpu"):
        _checked(lambda: strict.zeros(2, dtype=strict.float32))()
    on_device = _checked(lambda: strict.zeros(2, dtype=strict.float32, device=NO_FLOAT64.device()))
    assert on_device().device == NO_FLOAT64.device()


def test_a_call_that_names_a_device_is_not_checked() -> None:
    move = _checked(lambda x, device=None: strict.asarray(x, device=device))
    x = strict.asarray([1.0], dtype=strict.float32, device=NO_FLOAT64.device())
    assert move(x, device=strict.Device("CPU_DEVICE")).device == strict.Device("CPU_DEVICE")


def test_the_variant_namespace_checks_its_functions() -> None:
    xp = plugin.VariantNamespace(NO_FLOAT64)
    x = xp.linspace(0, 1, 5)
    assert x.device == NO_FLOAT64.device()
    assert xp.linalg.vector_norm(x).device == x.device
    assert xp.fft.fft(xp.astype(x, xp.complex64)).device == x.device
    assert xb.info(xp.sum(x)).device == "array_api_strict:no_float64"
