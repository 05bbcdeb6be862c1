"""Random numbers for every backend, with the method names of NumPy's ``Generator``.

``xb.random.default_rng(seed, backend="torch", device="cuda")`` returns a :class:`Generator`
backed by the library's own generator (a ``numpy.random.Generator``, a ``torch.Generator``,
CuPy's and Dask's generators, JAX keys split at every call; array-api-strict arrays come
from NumPy's generator). Its methods (``random``, ``standard_normal``, ``normal``,
``uniform``, ``integers``, ``permutation``, ``choice``) return that library's arrays, on the
generator's device, of the library's default floating or integer dtype unless ``dtype=`` says
otherwise (NumPy's are float64 and int64; PyTorch's float32 and int64).

The module-level functions (``seed``, ``rand``, ``randn``, ``normal``, ``uniform``,
``integers``) use one generator per context for the default backend and device
(:func:`xpbridge.using`), so ``xb.random.seed(0)`` in a thread or asyncio task reseeds only that
context (and those it starts afterwards).

The same seed gives the same numbers on the same backend, but **streams differ across
backends**: ``default_rng(0, backend="torch")`` does not draw NumPy's numbers. On NumPy the
numbers are exactly NumPy's: ``xb.random.default_rng(0).random(3)`` equals
``numpy.random.default_rng(0).random(3)``.

Examples
--------
>>> import xpbridge as xb
>>> rng = xb.random.default_rng(0)
>>> rng.integers(0, 10, size=3)
array([8, 6, 5])
>>> rng.standard_normal((2, 2)).shape
(2, 2)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import numpy as np

from ._backends import adapter_for_type, get_adapter
from ._config import current_defaults
from ._convert import asarray
from ._dtypes import dtype_name, isdtype_name
from ._errors import UnknownArrayTypeError, UnsupportedDTypeError
from ._lazy import dispatched
from ._sizes import check_shape

if TYPE_CHECKING:
    from ._backends._base import Adapter

__all__ = [
    "Generator",
    "default_rng",
    "integers",
    "normal",
    "rand",
    "randn",
    "seed",
    "uniform",
]

Size = int | Sequence[int] | None


def _shape(size: Size) -> tuple[int, ...]:
    if size is None:
        return ()
    shape = (size,) if isinstance(size, int) else tuple(int(n) for n in size)
    check_shape(shape, "random")  # before the library is asked for memory
    return shape


class Generator:
    """A random number generator for one backend and device.

    Do not construct it: call :func:`default_rng`. Every method returns a new array of the
    generator's backend on its device (never a view, never requiring grad); ``size=None``
    gives a 0-d array.
    """

    def __init__(self, adapter: Adapter, device: Any, seed: Any) -> None:
        self._adapter = adapter
        self._device = device
        self._source = adapter.random_source(seed, device)
        defaults = adapter.xp.__array_namespace_info__().default_dtypes()
        self._float = dtype_name(defaults["real floating"])
        self._int = dtype_name(defaults["integral"])

    @property
    def backend(self) -> str:
        """The backend whose arrays the generator makes."""
        return self._adapter.name

    @property
    def device(self) -> Any:
        """The device the generator makes arrays on (None: the backend's default)."""
        return self._device

    def __repr__(self) -> str:
        where = f", device={self._device!r}" if self._device is not None else ""
        return f"<xpbridge.random.Generator backend={self.backend!r}{where}>"

    def _dtype(self, dtype: Any, kind: str, default: str | None) -> str:
        name = default if dtype is None else dtype_name(dtype)
        assert name is not None
        if not isdtype_name(name, kind):
            msg = f"random: dtype must be of kind {kind!r}, got {name}"
            raise UnsupportedDTypeError(msg)
        if not self._adapter.has_dtype(name):
            raise UnsupportedDTypeError(self._adapter.missing_dtype_message(name))
        return name

    # ------------------------------------------------------------------ NumPy's methods

    def random(self, size: Size = None, dtype: Any = None) -> Any:
        """Floats uniform in ``[0, 1)``."""
        return self._source.random(_shape(size), self._dtype(dtype, "real floating", self._float))

    def standard_normal(self, size: Size = None, dtype: Any = None) -> Any:
        """Floats from the standard normal distribution (mean 0, standard deviation 1)."""
        return self._source.standard_normal(
            _shape(size), self._dtype(dtype, "real floating", self._float)
        )

    def normal(self, loc: Any = 0.0, scale: Any = 1.0, size: Size = None, dtype: Any = None) -> Any:
        """Floats from the normal distribution with mean `loc` and standard deviation `scale`
        (scalars, or arrays of the generator's backend that broadcast to `size`)."""
        shape = _shape(size) if size is not None else _broadcast(loc, scale)
        draws = self.standard_normal(shape, dtype)
        return _affine(draws, loc, scale)

    def uniform(self, low: Any = 0.0, high: Any = 1.0, size: Size = None, dtype: Any = None) -> Any:
        """Floats uniform in ``[low, high)`` (scalars, or arrays that broadcast to `size`)."""
        shape = _shape(size) if size is not None else _broadcast(low, high)
        return _affine(self.random(shape, dtype), low, _difference(high, low))

    def integers(
        self,
        low: int,
        high: int | None = None,
        size: Size = None,
        dtype: Any = None,
        endpoint: bool = False,
    ) -> Any:
        """Integers uniform in ``[low, high)`` (``[0, low)`` if `high` is None; ``endpoint=True``
        includes `high`)."""
        if high is None:
            low, high = 0, low
        if endpoint:
            high += 1
        if high <= low:
            msg = f"integers: low ({low}) must be less than high ({high})"
            raise ValueError(msg)
        name = self._dtype(dtype, "integral", self._int)
        return self._source.integers(int(low), int(high), _shape(size), name)

    def permutation(self, x: Any) -> Any:
        """A shuffled ``arange(x)`` for an int, else a shuffled copy of `x` along axis 0."""
        if isinstance(x, int | np.integer):
            return self._source.permutation(int(x))
        order = self._source.permutation(int(x.shape[0]))
        return dispatched.take(x, order, axis=0)

    def choice(self, a: Any, size: Size = None, replace: bool = True, p: Any = None) -> Any:
        """Elements drawn from `a` (an array, or ``arange(a)`` for an int), with or without
        replacement, uniformly or with probabilities `p` (which need replacement)."""
        population = a if not isinstance(a, int | np.integer) else None
        n = int(a) if population is None else int(population.shape[0])
        shape = _shape(size)
        count = math.prod(shape)
        if p is not None:
            if not replace:
                msg = "choice: p= is supported only with replace=True"
                raise ValueError(msg)
            weights = asarray(p, backend=self.backend, device=self._device)
            cdf = dispatched.cumulative_sum(weights / dispatched.sum(weights))
            picks = dispatched.searchsorted(cdf, self.random(shape, weights.dtype), side="right")
            picks = dispatched.clip(picks, max=n - 1)
        elif replace:
            picks = self.integers(0, n, shape)
        else:
            if count > n:
                msg = f"choice: cannot take {count} elements without replacement from {n}"
                raise ValueError(msg)
            picks = dispatched.reshape(self._source.permutation(n)[:count], shape)
        if population is None:
            return picks
        drawn = dispatched.take(population, dispatched.reshape(picks, (-1,)), axis=0)
        return dispatched.reshape(drawn, shape)


def _is_array(value: Any) -> bool:
    return adapter_for_type(type(value)) is not None


def _broadcast(*values: Any) -> tuple[int, ...]:
    from ._namespace import _broadcast_shapes

    return _broadcast_shapes(*(tuple(v.shape) for v in values if _is_array(v)))


def _difference(high: Any, low: Any) -> Any:
    if not (_is_array(high) or _is_array(low)):
        return high - low
    return dispatched.subtract(high, low)


def _affine(draws: Any, shift: Any, scale: Any) -> Any:
    """``shift + scale * draws``, skipping the identity steps (and keeping the dtype)."""
    if _is_array(scale) or scale != 1:
        draws = dispatched.multiply(draws, scale)
    if _is_array(shift) or shift != 0:
        draws = dispatched.add(draws, shift)
    return draws


def default_rng(seed: Any = None, *, backend: str | None = None, device: Any = None) -> Generator:
    """A :class:`Generator` making arrays of `backend` on `device`.

    Parameters
    ----------
    seed : int, sequence of ints or None
        The same seed gives the same numbers on the same backend (and, on NumPy, exactly
        ``numpy.random.default_rng(seed)``'s). None draws fresh entropy.
    backend, device : optional
        Default: the context's (:func:`xpbridge.using`), NumPy on the host unless changed.

    Returns
    -------
    Generator
        Its methods return new arrays of the backend (no memory shared with anything).

    Examples
    --------
    >>> import xpbridge as xb
    >>> xb.random.default_rng(42).random(2).dtype
    dtype('float64')
    """
    if backend is None:
        defaults = current_defaults()
        backend = defaults.backend
        device = defaults.device if device is None else device
    return Generator(get_adapter(backend), device, seed)


# ---------------------------------------------------------------------- module-level functions


class _State:
    """The seed of a context and the generators made from it, one per backend and device."""

    def __init__(self, seed: Any) -> None:
        self.seed = seed
        self.generators: dict[tuple[str, str], Generator] = {}


_state: ContextVar[_State | None] = ContextVar("xpbridge_random_state", default=None)


def _default_generator(
    backend: str | None = None, device: Any = None, like: Any = None
) -> Generator:
    """This context's generator for `backend` (or `like`'s library) on `device`: as the
    creation functions choose, the context's default backend and device unless given."""
    state = _state.get()
    if state is None:
        state = _State(None)
        _state.set(state)
    if like is not None:
        owner = adapter_for_type(type(like))
        if owner is None:
            msg = f"random: like= must be an array; got {type(like).__qualname__}"
            raise UnknownArrayTypeError(msg)
        backend = backend or owner.name
        device = owner.device(like) if device is None else device
    if backend is None:
        defaults = current_defaults()
        backend = defaults.backend
        device = defaults.device if device is None else device
    adapter = get_adapter(backend)
    key = (adapter.name, repr(device))
    generator = state.generators.get(key)
    if generator is None:
        generator = state.generators[key] = Generator(adapter, device, state.seed)
    return generator


def seed(seed: Any = None) -> None:
    """Reseed the default generators of this context (thread or asyncio task).

    Later calls of :func:`rand`, :func:`randn`, :func:`normal`, :func:`uniform` and
    :func:`integers` repeat the same numbers after the same seed, for each backend.
    """
    _state.set(_State(seed))


def rand(
    *shape: int,
    dtype: Any = None,
    device: Any = None,
    backend: str | None = None,
    like: Any = None,
) -> Any:
    """Floats uniform in ``[0, 1)`` of `shape` (``rand(2, 3)``).

    Like every creation function: ``backend=``, ``like=`` (an array whose library and
    device to use) or the context's default backend; ``device=`` and ``dtype=`` (a
    floating dtype; the backend's default unless given).
    """
    return _default_generator(backend, device, like).random(shape, dtype)


def randn(
    *shape: int,
    dtype: Any = None,
    device: Any = None,
    backend: str | None = None,
    like: Any = None,
) -> Any:
    """Standard normal floats of `shape` (``randn(2, 3)``); options as for :func:`rand`."""
    return _default_generator(backend, device, like).standard_normal(shape, dtype)


def normal(
    loc: Any = 0.0,
    scale: Any = 1.0,
    size: Size = None,
    *,
    dtype: Any = None,
    device: Any = None,
    backend: str | None = None,
    like: Any = None,
) -> Any:
    """Normal floats (mean `loc`, standard deviation `scale`); options as for :func:`rand`."""
    return _default_generator(backend, device, like).normal(loc, scale, size, dtype)


def uniform(
    low: Any = 0.0,
    high: Any = 1.0,
    size: Size = None,
    *,
    dtype: Any = None,
    device: Any = None,
    backend: str | None = None,
    like: Any = None,
) -> Any:
    """Floats uniform in ``[low, high)``; options as for :func:`rand`."""
    return _default_generator(backend, device, like).uniform(low, high, size, dtype)


def integers(
    low: int,
    high: int | None = None,
    size: Size = None,
    dtype: Any = None,
    endpoint: bool = False,
    *,
    device: Any = None,
    backend: str | None = None,
    like: Any = None,
) -> Any:
    """Integers uniform in ``[low, high)``; options as for :func:`rand`."""
    return _default_generator(backend, device, like).integers(low, high, size, dtype, endpoint)


def __dir__() -> list[str]:
    return sorted(__all__)
