"""The ``fft`` extension of the array API standard (2025.12)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from .._dispatch import array_function

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._typing import Array, ArrayT, BackendName, DeviceLike, DTypeLike

_fft = array_function(namespace="fft")
Norm = Literal["backward", "ortho", "forward"]


@_fft
def fft(x: ArrayT, /, *, n: int | None = None, axis: int = -1, norm: Norm = "backward") -> ArrayT:
    """One-dimensional discrete Fourier transform of a complex `x` along `axis`."""


@_fft
def ifft(x: ArrayT, /, *, n: int | None = None, axis: int = -1, norm: Norm = "backward") -> ArrayT:
    """Inverse of :func:`fft`."""


@_fft
def fftn(
    x: ArrayT,
    /,
    *,
    s: Sequence[int] | None = None,
    axes: Sequence[int] | None = None,
    norm: Norm = "backward",
) -> ArrayT:
    """N-dimensional discrete Fourier transform over `axes`."""


@_fft
def ifftn(
    x: ArrayT,
    /,
    *,
    s: Sequence[int] | None = None,
    axes: Sequence[int] | None = None,
    norm: Norm = "backward",
) -> ArrayT:
    """Inverse of :func:`fftn`."""


@_fft
def rfft(x: ArrayT, /, *, n: int | None = None, axis: int = -1, norm: Norm = "backward") -> ArrayT:
    """Discrete Fourier transform of a real `x` (the non-negative frequencies)."""


@_fft
def irfft(x: ArrayT, /, *, n: int | None = None, axis: int = -1, norm: Norm = "backward") -> ArrayT:
    """Inverse of :func:`rfft` (a real result of length `n`)."""


@_fft
def rfftn(
    x: ArrayT,
    /,
    *,
    s: Sequence[int] | None = None,
    axes: Sequence[int] | None = None,
    norm: Norm = "backward",
) -> ArrayT:
    """N-dimensional discrete Fourier transform of a real `x`."""


@_fft
def irfftn(
    x: ArrayT,
    /,
    *,
    s: Sequence[int] | None = None,
    axes: Sequence[int] | None = None,
    norm: Norm = "backward",
) -> ArrayT:
    """Inverse of :func:`rfftn`."""


@_fft
def hfft(x: ArrayT, /, *, n: int | None = None, axis: int = -1, norm: Norm = "backward") -> ArrayT:
    """Discrete Fourier transform of a signal with Hermitian symmetry (a real result)."""


@_fft
def ihfft(x: ArrayT, /, *, n: int | None = None, axis: int = -1, norm: Norm = "backward") -> ArrayT:
    """Inverse of :func:`hfft`."""


@_fft
def fftfreq(
    n: int,
    /,
    *,
    d: float = 1.0,
    dtype: DTypeLike | None = None,
    device: DeviceLike | None = None,
    backend: BackendName | None = None,
    like: Array | None = None,
) -> Array:
    """Sample frequencies of :func:`fft` for `n` samples spaced `d` apart."""


@_fft
def rfftfreq(
    n: int,
    /,
    *,
    d: float = 1.0,
    dtype: DTypeLike | None = None,
    device: DeviceLike | None = None,
    backend: BackendName | None = None,
    like: Array | None = None,
) -> Array:
    """Sample frequencies of :func:`rfft` for `n` samples spaced `d` apart."""


@_fft
def fftshift(x: ArrayT, /, *, axes: int | Sequence[int] | None = None) -> ArrayT:
    """`x` with the zero-frequency term moved to the centre."""


@_fft
def ifftshift(x: ArrayT, /, *, axes: int | Sequence[int] | None = None) -> ArrayT:
    """Inverse of :func:`fftshift`."""
