"""Bad input gets xpbridge's own exception, which is also the builtin code would catch
without xpbridge, with a message saying what happened and how to fix it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pytest

import xpbridge as xb

if TYPE_CHECKING:
    from collections.abc import Callable


class NotAnArray:
    """An object of a library xpbridge does not know."""


class ForeignArray:
    """An array of an unknown library: it has the standard's protocol, but xpbridge must not
    silently push it through NumPy (that would change its library and maybe its device)."""

    shape = (2,)

    def __array_namespace__(self, api_version: str | None = None) -> Any:
        return None

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        return np.zeros(2)


#: (call, exception, builtin base, words the message must contain: what, then how to fix)
ERRORS: list[tuple[str, Callable[[], Any], type[Exception], type[Exception], tuple[str, ...]]] = [
    ("unknown object", lambda: xb.sin(NotAnArray()), xb.UnknownArrayTypeError, TypeError,
     ("sin", "NotAnArray", "Pass an array")),
    ("unknown object in a binary call", lambda: xb.add(np.ones(2), NotAnArray()),
     xb.UnknownArrayTypeError, TypeError, ("add", "x2", "NotAnArray", "convert")),
    ("unknown object in a sequence", lambda: xb.concat([np.ones(2), NotAnArray()]),
     xb.UnknownArrayTypeError, TypeError, ("concat", "NotAnArray")),
    ("an array where a sequence goes", lambda: xb.concat(np.ones(3)),
     xb.UnknownArrayTypeError, TypeError, ("concat", "sequence of arrays")),
    ("array of an unknown library", lambda: xb.sin(ForeignArray()), xb.UnknownArrayTypeError,
     TypeError, ("ForeignArray", "Pass an array")),
    ("None for a required array", lambda: xb.exp(None), xb.UnknownArrayTypeError, TypeError,
     ("exp", "NoneType")),
    ("unknown like=", lambda: xb.zeros(3, like=NotAnArray()), xb.UnknownArrayTypeError,
     TypeError, ("like", "NotAnArray")),
    ("ragged list", lambda: xb.sin([[1.0, 2.0], [3.0]]), xb.RaggedSequenceError, ValueError,
     ("ragged", "pad the rows")),
    ("ragged list in asarray", lambda: xb.asarray([[1, 2], [3]]), xb.RaggedSequenceError,
     ValueError, ("ragged", "pad the rows")),
    ("unsupported dtype name", lambda: xb.zeros(3, dtype="datetime64"),
     xb.UnsupportedDTypeError, TypeError, ("datetime64", "xb.float32")),
    ("object dtype", lambda: xb.ones(2, dtype=object), xb.UnsupportedDTypeError, TypeError,
     ("object", "xb.float64")),
    ("extended precision", lambda: xb.asarray([1.0], dtype="float128"),
     xb.UnsupportedDTypeError, TypeError, ("float128",)),
    ("strings in a list", lambda: xb.exp([1, "a"]), xb.UnsupportedDTypeError, TypeError,
     ("exp", "no array API dtype", "pass numbers")),
    ("string array", lambda: xb.sin(np.array(["a", "b"])), xb.UnsupportedDTypeError,
     TypeError, ("sin", "convert first")),
    ("unknown dtype kind", lambda: xb.isdtype(xb.float32, "floaty"), xb.BridgeError,
     ValueError, ("floaty",)),
    ("unknown backend name", lambda: xb.namespace("tensorflow"), xb.BackendNotAvailableError,
     ImportError, ("tensorflow", "numpy", "torch")),
    ("unknown backend= name", lambda: xb.zeros(2, backend="mxnet"),
     xb.BackendNotAvailableError, ImportError, ("mxnet", "numpy")),
    ("unknown backend in using", lambda: xb.using("jaxx").__enter__(),
     xb.BackendNotAvailableError, ImportError, ("jaxx",)),
    ("NumPy on a device", lambda: xb.zeros(2, backend="numpy", device="cuda"),
     xb.DeviceMismatchError, ValueError, ("NumPy", "host", "backend=")),
    ("unknown mixing policy", lambda: xb.set_policy(mixing="mix"), xb.BridgeError, ValueError,
     ("mixing", "promote", "strict")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "builtin", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in ERRORS],
)
def test_error(
    call: Callable[[], Any],
    error: type[Exception],
    builtin: type[Exception],
    words: tuple[str, ...],
) -> None:
    with pytest.raises(error) as info:
        call()
    assert isinstance(info.value, xb.BridgeError)
    assert isinstance(info.value, builtin), f"{type(info.value).__name__} is not a {builtin}"
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def test_every_error_derives_from_a_builtin() -> None:
    errors = [
        getattr(xb, name) for name in xb.__all__ if name.endswith("Error") and name != "BridgeError"
    ]
    assert len(errors) >= 8
    for error in errors:
        assert issubclass(error, xb.BridgeError)
        builtins = [base for base in error.__mro__ if base.__module__ == "builtins"]
        assert builtins[0] is not Exception, f"{error.__name__} derives only from Exception"


def test_unsupported_operation_quotes_the_deviation() -> None:
    """A function a backend lacks raises with the deviations registry's reason."""
    strict = pytest.importorskip("array_api_strict", reason="array-api-strict not installed")
    from xpbridge._deviations import reason_for

    x = strict.ones((2, 2))
    with pytest.raises(xb.UnsupportedOperationError) as info:
        xb.einsum("ii", x)
    assert isinstance(info.value, NotImplementedError)
    reason = reason_for("array_api_strict", "einsum")
    assert reason is not None
    assert reason in str(info.value)


def test_torch_wide_unsigned_arithmetic_is_a_clear_error() -> None:
    torch = pytest.importorskip("torch", reason="torch not installed")
    x = torch.tensor([1, 2, 3], dtype=torch.uint32)
    with pytest.raises(xb.UnsupportedDTypeError) as info:
        xb.add(x, x)
    assert isinstance(info.value, TypeError)
    assert "uint32" in str(info.value)
    assert "xb.astype" in str(info.value)


def test_torch_promotion_of_wide_unsigned_follows_the_standard() -> None:
    """torch refuses to promote uint16/32/64; xpbridge casts to the standard's result."""
    torch = pytest.importorskip("torch", reason="torch not installed")
    small = torch.tensor([1, 2, 3], dtype=torch.uint8)
    wide = torch.tensor([1, 5, 3], dtype=torch.uint32)
    result = xb.equal(small, wide)
    assert result.tolist() == [True, False, True]
    assert xb.less(wide, torch.tensor([2, 2, 2])).tolist() == [True, False, False]  # int64
    with pytest.raises(xb.UnsupportedDTypeError, match="does not promote uint64 with int8"):
        xb.equal(torch.ones(2, dtype=torch.uint64), torch.ones(2, dtype=torch.int8))


# ---------------------------------------------------------------------- advice that works


def test_errors_of_xpbridges_own_checks_are_public_classes() -> None:
    with pytest.raises(xb.ShapeError) as info:  # was the private _ItemSizeError
        xb.item(np.ones(2))
    assert type(info.value).__module__ == "xpbridge._errors"
    assert not type(info.value).__name__.startswith("_")
    with pytest.raises(xb.ArgumentTypeError, match="callable"):
        xb.numpy_function(42)  # type: ignore[call-overload]


@pytest.mark.skipif(
    np.dtype(np.longdouble).itemsize == 8, reason="longdouble is float64 on this platform"
)
def test_extended_precision_names_a_fix() -> None:
    with pytest.raises(xb.UnsupportedDTypeError, match=r"astype\(numpy.float64\)"):
        xb.to_numpy(np.ones(2, dtype=np.longdouble))


def test_dtype_errors_name_a_fix() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(xb.UnsupportedDTypeError, match=r"x.to\(torch.float32\)"):
        xb.to_numpy(torch.ones(2).to(torch.float8_e4m3fn))
    with pytest.raises(xb.UnsupportedDTypeError, match=r"xb\.to_numpy"):
        xb.unique_values(torch.ones(2, dtype=torch.complex64))


def test_meta_and_gradient_messages_read_and_their_fix_works() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(xb.UnsupportedOperationError) as info:
        xb.to_numpy(torch.ones(2, device="meta"))
    assert "cannot convert to numpy: the input is a meta tensor" in str(info.value)
    assert "device='cpu'" in str(info.value)
    g = torch.ones(2, requires_grad=True)
    with pytest.raises(xb.GradientBreakError, match=r"xb\.detach\(v\)") as info:
        xb.at(np.zeros(3))[0].set(g[0])  # set() takes no detach=: the advice must not say it
    assert "detach=True" not in str(info.value)
    assert xb.at(np.zeros(3))[0].set(xb.detach(g[0])).tolist() == [1.0, 0.0, 0.0]


def test_devices_that_are_not_here_raise_one_class() -> None:
    jnp = pytest.importorskip("jax.numpy")
    torch = pytest.importorskip("torch")
    for call in (
        lambda: xb.zeros(2, backend="jax", device=3),  # AttributeError from JAX
        lambda: xb.zeros(2, backend="jax", device="cuda:3"),
        lambda: xb.zeros(2, backend="torch", device="mps"),  # NotImplementedError from torch
        lambda: xb.to(np.ones(2), "torch", device="xla"),
        lambda: xb.zeros(2, backend="numpy", device="cuda"),
    ):
        with pytest.raises(xb.DeviceNotAvailableError) as info:
            call()
        assert isinstance(info.value, (xb.DeviceMismatchError, ValueError))
    # Another library's device object stands for the device of its name.
    assert xb.zeros(2, backend="jax", device=torch.device("cpu")).shape == (2,)
    assert isinstance(xb.zeros(2, backend="jax"), type(jnp.zeros(1)))


class CudaProducer:
    """A DLPack producer that says its memory is on a CUDA device."""

    def __dlpack__(self, **kwargs: Any) -> Any:
        return np.ones(2).__dlpack__()

    def __dlpack_device__(self) -> tuple[int, int]:
        return (2, 0)


def test_a_producer_on_a_device_the_target_lacks_is_refused_by_the_plan() -> None:
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is here: the producer's claim may be true")
    record = xb.plan(CudaProducer(), "torch")
    assert isinstance(record.error, xb.DeviceNotAvailableError)
    with pytest.raises(xb.DeviceNotAvailableError, match="cuda:0"):  # torch: AssertionError
        xb.to_torch(CudaProducer())


@pytest.mark.parametrize("raised", [RuntimeError, KeyError, ZeroDivisionError, AttributeError])
def test_an_array_like_whose_protocol_raises_is_one_error_everywhere(raised: type) -> None:
    class Broken:
        def __array__(self, *args: Any, **kwargs: Any) -> Any:
            msg = "nope"
            raise raised(msg)

    for call in (
        lambda: xb.to_numpy(Broken()),
        lambda: xb.asarray(Broken()),
        lambda: xb.sum(Broken()),
        lambda: xb.add(np.ones(1), Broken()),
        lambda: xb.item(Broken()),
        lambda: xb.info(Broken()),
    ):
        with pytest.raises(xb.UnknownArrayTypeError, match="nope"):
            call()
