"""Cases of the standard that some libraries get wrong, fixed once for every backend.

Each fix wraps a backend's callable (``Implementations`` applies them) and costs nothing
to calls the case does not concern beyond one look at the arguments:

* ``var``/``std`` with ``correction >= N``: NaN, as the standard says (NumPy, torch and
  array-api-strict give ``inf`` and warn; Dask either).
* A Python int beside an integer array that does not fit its dtype (``xb.add(uint8, 300)``):
  refused with :class:`ValueOverflowError`, NumPy 2's rule (torch and JAX wrap it to 45,
  ``where`` wraps it on NumPy too). Comparisons have an exact answer instead
  (``x < 300`` is true for every int8), which every backend then gives. ``clip`` bounds
  beyond the dtype's range bound nothing on their side (``clip(int8, -1000, 1000)`` is
  ``x``), and ``clip``'s result has ``x``'s dtype (JAX promoted it).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Final

from .._dtypes import dtype_name
from .._overflow import INT_RANGES, check_int
from .._taxonomy import mistake

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._backends._base import Adapter
    from .signature import Declaration

__all__ = ["fixed", "fixes_plain_calls", "scalar_second"]

#: The largest int every integer dtype holds (int8's), and the smallest is 0 (unsigned).
_FITS_ALL: Final = 127
#: dtype object -> its canonical name (dtype_name costs a microsecond for some libraries).
_NAMES: dict[tuple[type, Any], str | None] = {}

#: Comparison -> its answer for (array OP scalar) when the scalar is above the array's
#: range, and when below; and the comparison with its operands swapped.
_COMPARISONS: Final = {
    "equal": ((False, False), "equal"),
    "not_equal": ((True, True), "not_equal"),
    "less": ((True, False), "greater"),
    "less_equal": ((True, False), "greater_equal"),
    "greater": ((False, True), "less"),
    "greater_equal": ((False, True), "less_equal"),
}


def fixed(
    impl: Callable[..., Any], adapter: Adapter, declaration: Declaration
) -> Callable[..., Any] | None:
    """`impl` (`adapter`'s callable of `declaration`) with the fixes that concern it; None
    if none does."""
    path = declaration.backend_path
    if path in {"var", "std"}:
        return _degrees_of_freedom(impl)
    if path in _NO_ANSWER and adapter.silent_linalg:
        return _answer_or_refusal(impl, adapter, declaration.path)
    holders = _scalar_holders(declaration)
    if holders:
        return _python_ints(impl, adapter, declaration.path, holders, _array_holders(declaration))
    return None


def fixes_plain_calls(declaration: Declaration) -> bool:
    """Whether :func:`fixed` concerns calls with the required arguments alone (the fast
    call): a matrix without an answer does; Python scalars and options do not."""
    return declaration.backend_path in _NO_ANSWER


# ---------------------------------------------------------------------- var and std


def _elements(shape: tuple[Any, ...], axis: Any) -> float:
    """How many elements each reduction over `axis` takes (NaN when a length is unknown)."""
    if axis is None:
        axes: tuple[int, ...] = tuple(range(len(shape)))
    else:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
    lengths = [shape[a] for a in axes if -len(shape) <= a < len(shape)]
    if any(n is None or (isinstance(n, float) and math.isnan(n)) for n in lengths):
        return math.nan
    return float(math.prod(lengths))


def _degrees_of_freedom(impl: Callable[..., Any]) -> Callable[..., Any]:
    def var_or_std(x: Any, /, **kwargs: Any) -> Any:
        correction = kwargs.get("correction", 0.0)
        if correction:
            n = _elements(tuple(x.shape), kwargs.get("axis"))
            if n > 0 and n - correction <= 0:
                # The standard's NaN; computed from the plain statistic so that the result
                # keeps its dtype, device and autograd graph, without the library's warning.
                plain = impl(x, **{**kwargs, "correction": 0.0})
                return plain * math.nan
        return impl(x, **kwargs)

    return var_or_std


# ---------------------------------------------------------------------- linear algebra

#: Functions whose NaN or inf, from finite input, means the matrix has no answer: the kind
#: of mistake, and what the library computed instead.
_NO_ANSWER: Final = {
    "linalg.inv": ("singular", "the matrix is singular ({} computed NaN and inf for its inverse)"),
    "linalg.solve": ("singular", "the matrix is singular ({} computed NaN and inf)"),
    "linalg.cholesky": (
        "not_positive_definite",
        "the matrix is not positive definite ({} computed NaN for its factor)",
    ),
}


def _answer_or_refusal(impl: Callable[..., Any], adapter: Adapter, path: str) -> Callable[..., Any]:
    """`impl`, refusing (as NumPy and torch do) the NaN and inf a library computes for a
    matrix without an answer, where the values are known (not traced: inside jax.jit the
    library's own answer stands)."""
    kind, what = _NO_ANSWER[path]
    xp = adapter.xp

    def answer(*args: Any, **kwargs: Any) -> Any:
        result = impl(*args, **kwargs)
        arrays = [a for a in args if hasattr(a, "dtype")]
        if adapter.facts(result).unsupported is not None:
            return result  # traced: no values to look at
        if not bool(xp.all(xp.isfinite(result))) and all(
            bool(xp.all(xp.isfinite(a))) for a in arrays
        ):
            error = mistake(kind, path, what.format(adapter.name))
            raise error
        return result

    return answer


# ---------------------------------------------------------------------- Python ints


def _scalar_holders(declaration: Declaration) -> tuple[tuple[int | None, str], ...]:
    """(position or None, name) of the parameters where a Python scalar may stand for an
    array."""
    return tuple(
        (i if p.positional else None, p.name)
        for i, p in enumerate(declaration.impl_params)
        if p.role == "array" and p.scalar_ok
    )


def _array_holders(declaration: Declaration) -> tuple[tuple[int | None, str], ...]:
    return tuple(
        (i if p.positional else None, p.name)
        for i, p in enumerate(declaration.impl_params)
        if p.role == "array"
    )


def _argument(args: tuple[Any, ...], kwargs: dict[str, Any], where: tuple[int | None, str]) -> Any:
    index, name = where
    if index is not None and index < len(args):
        return args[index]
    return kwargs.get(name)


def _python_ints(
    impl: Callable[..., Any],
    adapter: Adapter,
    path: str,
    holders: tuple[tuple[int | None, str], ...],
    arrays: tuple[tuple[int | None, str], ...],
) -> Callable[..., Any]:
    comparison = _COMPARISONS.get(path)
    clip = path == "clip"
    positions = tuple(i for i, _ in holders if i is not None)
    names = tuple(name for i, name in holders if i is None)

    def with_ints(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        for where in holders:
            value = _argument(args, kwargs, where)
            if not isinstance(value, int) or isinstance(value, bool):
                continue
            found = _integer_array(args, kwargs, arrays)
            if found is None:
                continue
            array, dtype = found
            lo, hi = INT_RANGES[dtype]
            if lo <= value <= hi:
                continue
            if comparison is not None:
                answers, swapped = comparison
                if where != holders[-1] and swapped in _COMPARISONS:  # (scalar, array)
                    answers = _COMPARISONS[swapped][0]
                return _filled(adapter, array, answers[0] if value > hi else answers[1])
            if clip and (value < lo if where[1] == "min" else value > hi):
                args, kwargs = _without(args, kwargs, where)  # a bound that bounds nothing
                continue
            check_int(value, dtype, path)
        return without_ints(*args, **kwargs)

    def without_ints(*args: Any, **kwargs: Any) -> Any:
        result = impl(*args, **kwargs)
        return _keep_dtype(adapter, args[0], result) if clip else result

    # The look for ints stays simple: torch.compile traces it in compiled calls and guards
    # on what it reads (isinstance, not type(): type() of a tensor costs a guard on
    # torch.Tensor on every compiled call).
    # An int from 0 to 127 fits every integer dtype: nothing to look at (x + 1).
    def checked(*args: Any, **kwargs: Any) -> Any:
        for i in positions:
            if i < len(args) and isinstance(args[i], int) and not 0 <= args[i] <= _FITS_ALL:
                return with_ints(args, kwargs)
        for name in names:
            value = kwargs.get(name)
            if isinstance(value, int) and not 0 <= value <= _FITS_ALL:
                return with_ints(args, kwargs)
        return without_ints(*args, **kwargs)

    return checked


def scalar_second(native: Callable[..., Any], checked: Callable[..., Any]) -> Callable[..., Any]:
    """The callable of (array, Python scalar) calls: `native` (the library's own function),
    or `checked` (its :func:`fixed` form) for an int that may not fit. The scalar is a
    Python number here, never an array: one type test decides."""

    def array_then_scalar(x1: Any, x2: Any, /) -> Any:
        if type(x2) is int and not 0 <= x2 <= _FITS_ALL and _name_of(x1) in INT_RANGES:
            return checked(x1, x2)
        return native(x1, x2)

    return array_then_scalar


def _integer_array(
    args: tuple[Any, ...], kwargs: dict[str, Any], arrays: tuple[tuple[int | None, str], ...]
) -> tuple[Any, str] | None:
    """The first array argument of an integer dtype, with its dtype's name."""
    for where in arrays:
        value = _argument(args, kwargs, where)
        name = _name_of(value)
        if name in INT_RANGES:
            return value, name
    return None


def _name_of(x: Any) -> str | None:
    """The canonical name of `x`'s dtype (None: no array, or no array API dtype)."""
    dtype = getattr(x, "dtype", None)
    key = (type(dtype), dtype)  # the type first: libraries' dtypes may hash alike
    try:
        return _NAMES[key]
    except KeyError:
        name = _NAMES[key] = dtype_name(dtype, strict=False)
        return name
    except TypeError:  # an unhashable dtype object
        return dtype_name(dtype, strict=False)


def _without(
    args: tuple[Any, ...], kwargs: dict[str, Any], where: tuple[int | None, str]
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments with the one at `where` set to None."""
    index, name = where
    if index is not None and index < len(args):
        return (*args[:index], None, *args[index + 1 :]), kwargs
    return args, {**kwargs, name: None}


def _filled(adapter: Adapter, like: Any, answer: bool) -> Any:
    """A boolean array shaped like `like`, every element `answer`."""
    xp = adapter.xp
    make = xp.ones_like if answer else xp.zeros_like
    return make(like, dtype=adapter.native_dtype("bool"))


def _keep_dtype(adapter: Adapter, x: Any, result: Any) -> Any:
    """`result` in `x`'s dtype (clip's result has it, whatever the bounds' dtypes)."""
    dtype = getattr(x, "dtype", None)
    if dtype is None or getattr(result, "dtype", dtype) == dtype:
        return result
    return adapter.astype(result, adapter.dtype_of(x))
