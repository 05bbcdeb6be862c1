"""A conformance self-check: how closely a namespace follows the array API standard 2025.12.

:func:`check_namespace` checks any array API namespace (``xb.namespace("torch")``, or a
library of your own) against three things the standard publishes:

* **signatures**: every function of the standard exists, with the standard's parameters
  (names, positional-only and keyword-only kinds, defaults; a parameter the standard
  requires may have a default, and extra parameters must have one);
* **dtypes**: ``result_type`` and ``can_cast`` follow the standard's promotion lattice, and
  every element-wise function gives the standard's result dtype for every pair (or single)
  of dtypes in its domain whose result the standard defines;
* **special cases**: the "Special Cases" of every element-wise function (NaN, signed zeros,
  infinities...), for float32 and float64 and their complex counterparts, with operands
  drawn by hypothesis (:mod:`hypothesis.extra.array_api` builds the element strategies from
  the namespace's own ``finfo``).

Each check is ``passed``, ``failed``, or, for xpbridge's namespaces, a documented
``deviation`` (the deviations registry, the same one that drives the strict xfails of
xpbridge's tests: a registered deviation that no longer occurs is a failure). The
:class:`Report` counts them; :func:`report_table` writes the Markdown table of the docs.

Run it from the command line::

    python -m xpbridge.testing.conformance numpy torch      # every installed backend if none
"""

from __future__ import annotations

import inspect
import math
import textwrap
import warnings
from collections import Counter
from dataclasses import dataclass, field
from itertools import product
from typing import TYPE_CHECKING, Any, Final, Literal

from .._dtypes import isdtype_name, standard_promotion
from .._errors import UnsupportedDTypeError, UnsupportedOperationError
from .._standard import DTYPES
from . import _special_cases

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ["CHECKS", "Outcome", "Report", "assert_conforms", "check_namespace", "report_table"]

Check = Literal["signature", "dtype", "special case"]
Status = Literal["passed", "failed", "deviation"]
CHECKS: Final[tuple[Check, ...]] = ("signature", "dtype", "special case")

# ---------------------------------------------------------------------- the standard's data

_UNARY: Final = (
    "abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "bitwise_invert", "ceil", "conj",
    "cos", "cosh", "exp", "expm1", "floor", "imag", "isfinite", "isinf", "isnan", "log", "log1p",
    "log2", "log10", "logical_not", "negative", "positive", "real", "reciprocal", "round", "sign",
    "signbit", "sin", "sinh", "square", "sqrt", "tan", "tanh", "trunc",
)  # fmt: skip
_BINARY: Final = (
    "add", "atan2", "bitwise_and", "bitwise_left_shift", "bitwise_or", "bitwise_right_shift",
    "bitwise_xor", "copysign", "divide", "equal", "floor_divide", "greater", "greater_equal",
    "hypot", "less", "less_equal", "logaddexp", "logical_and", "logical_or", "logical_xor",
    "maximum", "minimum", "multiply", "nextafter", "not_equal", "pow", "remainder", "subtract",
)  # fmt: skip

#: The signatures of the standard's functions other than the element-wise ones, as its
#: specification writes them (annotations left out).
_SIGNATURES: Final = """
arange(start, /, stop=None, step=1, *, dtype=None, device=None)
asarray(obj, /, *, dtype=None, device=None, copy=None)
empty(shape, *, dtype=None, device=None)
empty_like(x, /, *, dtype=None, device=None)
eye(n_rows, n_cols=None, /, *, k=0, dtype=None, device=None)
from_dlpack(x, /, *, device=None, copy=None)
full(shape, fill_value, *, dtype=None, device=None)
full_like(x, /, fill_value, *, dtype=None, device=None)
linspace(start, stop, /, num, *, dtype=None, device=None, endpoint=True)
meshgrid(*arrays, indexing='xy')
ones(shape, *, dtype=None, device=None)
ones_like(x, /, *, dtype=None, device=None)
tril(x, /, *, k=0)
triu(x, /, *, k=0)
zeros(shape, *, dtype=None, device=None)
zeros_like(x, /, *, dtype=None, device=None)
astype(x, dtype, /, *, copy=True, device=None)
can_cast(from_, to, /)
finfo(type, /)
iinfo(type, /)
isdtype(dtype, kind)
result_type(*arrays_and_dtypes)
clip(x, /, min=None, max=None)
take(x, indices, /, *, axis=None)
take_along_axis(x, indices, /, *, axis=-1)
__array_namespace_info__()
matmul(x1, x2, /)
matrix_transpose(x, /)
tensordot(x1, x2, /, *, axes=2)
vecdot(x1, x2, /, *, axis=-1)
broadcast_arrays(*arrays)
broadcast_shapes(*shapes)
broadcast_to(x, /, shape)
concat(arrays, /, *, axis=0)
expand_dims(x, /, axis)
flip(x, /, *, axis=None)
moveaxis(x, source, destination, /)
permute_dims(x, /, axes)
repeat(x, repeats, /, *, axis=None)
reshape(x, /, shape, *, copy=None)
roll(x, /, shift, *, axis=None)
squeeze(x, /, axis)
stack(arrays, /, *, axis=0)
tile(x, repetitions, /)
unstack(x, /, *, axis=0)
argmax(x, /, *, axis=None, keepdims=False)
argmin(x, /, *, axis=None, keepdims=False)
count_nonzero(x, /, *, axis=None, keepdims=False)
nonzero(x, /)
searchsorted(x1, x2, /, *, side='left', sorter=None)
where(condition, x1, x2, /)
isin(x1, x2, /, *, invert=False)
unique_all(x, /)
unique_counts(x, /)
unique_inverse(x, /)
unique_values(x, /)
argsort(x, /, *, axis=-1, descending=False, stable=True)
sort(x, /, *, axis=-1, descending=False, stable=True)
cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False)
cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False)
max(x, /, *, axis=None, keepdims=False)
mean(x, /, *, axis=None, keepdims=False)
min(x, /, *, axis=None, keepdims=False)
prod(x, /, *, axis=None, dtype=None, keepdims=False)
std(x, /, *, axis=None, correction=0.0, keepdims=False)
sum(x, /, *, axis=None, dtype=None, keepdims=False)
var(x, /, *, axis=None, correction=0.0, keepdims=False)
all(x, /, *, axis=None, keepdims=False)
any(x, /, *, axis=None, keepdims=False)
diff(x, /, *, axis=-1, n=1, prepend=None, append=None)
linalg.cholesky(x, /, *, upper=False)
linalg.cross(x1, x2, /, *, axis=-1)
linalg.det(x, /)
linalg.diagonal(x, /, *, offset=0)
linalg.eig(x, /)
linalg.eigh(x, /)
linalg.eigvals(x, /)
linalg.eigvalsh(x, /)
linalg.inv(x, /)
linalg.matmul(x1, x2, /)
linalg.matrix_norm(x, /, *, keepdims=False, ord='fro')
linalg.matrix_power(x, n, /)
linalg.matrix_rank(x, /, *, rtol=None)
linalg.matrix_transpose(x, /)
linalg.outer(x1, x2, /)
linalg.pinv(x, /, *, rtol=None)
linalg.qr(x, /, *, mode='reduced')
linalg.slogdet(x, /)
linalg.solve(x1, x2, /)
linalg.svd(x, /, *, full_matrices=True)
linalg.svdvals(x, /)
linalg.tensordot(x1, x2, /, *, axes=2)
linalg.trace(x, /, *, offset=0, dtype=None)
linalg.vecdot(x1, x2, /, *, axis=-1)
linalg.vector_norm(x, /, *, axis=None, keepdims=False, ord=2)
fft.fft(x, /, *, n=None, axis=-1, norm='backward')
fft.ifft(x, /, *, n=None, axis=-1, norm='backward')
fft.fftn(x, /, *, s=None, axes=None, norm='backward')
fft.ifftn(x, /, *, s=None, axes=None, norm='backward')
fft.rfft(x, /, *, n=None, axis=-1, norm='backward')
fft.irfft(x, /, *, n=None, axis=-1, norm='backward')
fft.rfftn(x, /, *, s=None, axes=None, norm='backward')
fft.irfftn(x, /, *, s=None, axes=None, norm='backward')
fft.hfft(x, /, *, n=None, axis=-1, norm='backward')
fft.ihfft(x, /, *, n=None, axis=-1, norm='backward')
fft.fftfreq(n, /, *, d=1.0, dtype=None, device=None)
fft.rfftfreq(n, /, *, d=1.0, dtype=None, device=None)
fft.fftshift(x, /, *, axes=None)
fft.ifftshift(x, /, *, axes=None)
"""


def _parse_signatures() -> dict[str, inspect.Signature]:
    found: dict[str, inspect.Signature] = {}
    lines = [line.strip() for line in _SIGNATURES.strip().splitlines()]
    lines += [f"{name}(x, /)" for name in _UNARY if name not in ("clip",)]
    lines += [f"{name}(x1, x2, /)" for name in _BINARY]
    for line in lines:
        path, _, parameters = line.partition("(")
        scope: dict[str, Any] = {}
        exec(f"def f({parameters}: pass", scope)  # noqa: S102 - our own table
        found[path] = inspect.signature(scope["f"])
    return found


#: Per element-wise function: the dtype kinds of its domain, and its result's dtype
#: ("promote": the operands' promotion; "same": the input's; "bool"; "real": the real
#: dtype of a complex input's precision, else the input's).
_FLOATING = ("real floating", "complex floating")
_REAL = ("integral", "real floating")


def _each(names: str, rule: tuple[tuple[str, ...], str]) -> dict[str, Any]:
    return dict.fromkeys(names.split(), rule)


_DOMAINS: Final[dict[str, tuple[tuple[str, ...], str]]] = {
    **_each(
        "acos acosh asin asinh atan atanh cos cosh exp expm1 log log1p log2 log10 reciprocal "
        "sin sinh sqrt tan tanh",
        (_FLOATING, "same"),
    ),
    **_each("negative positive square sign conj round", (("numeric",), "same")),
    "abs": (("numeric",), "real"),
    **_each("ceil floor trunc", (_REAL, "same")),
    "bitwise_invert": (("integral", "bool"), "same"),
    "logical_not": (("bool",), "bool"),
    **_each("isfinite isinf isnan", (("numeric",), "bool")),
    "signbit": (("real floating",), "bool"),
    **_each("real imag", (("complex floating",), "real")),
    **_each("add subtract multiply pow", (("numeric",), "promote")),
    "divide": (_FLOATING, "promote"),
    **_each("floor_divide remainder maximum minimum", (_REAL, "promote")),
    **_each("atan2 copysign hypot logaddexp", (("real floating",), "promote")),
    "nextafter": (("real floating",), "same"),
    **_each("bitwise_and bitwise_or bitwise_xor", (("integral", "bool"), "promote")),
    **_each("bitwise_left_shift bitwise_right_shift", (("integral",), "promote")),
    **_each("logical_and logical_or logical_xor", (("bool",), "bool")),
    **_each("equal not_equal", (("numeric", "bool"), "bool")),
    **_each("greater greater_equal less less_equal", (_REAL, "bool")),
}
_REAL_OF: Final = {"complex64": "float32", "complex128": "float64"}
_COMPLEX_OF: Final = {"float32": "complex64", "float64": "complex128"}

# ---------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Outcome:
    """One check of one function."""

    check: Check
    function: str
    #: What was checked (``"int8, uint16"``, ``"float32: +inf, pos_finite -> +inf"``).
    case: str
    status: Status
    #: Why it failed, or the deviation's reason.
    detail: str = ""


@dataclass
class Report:
    """The outcomes of :func:`check_namespace` for one namespace."""

    namespace: str
    #: The xpbridge backend whose deviations were consulted (None: a foreign namespace).
    backend: str | None
    outcomes: list[Outcome] = field(default_factory=list)

    def counts(self, check: Check | None = None) -> dict[Status, int]:
        """How many checks passed, failed or are documented deviations."""
        found = Counter(o.status for o in self.outcomes if check in (None, o.check))
        return {status: found.get(status, 0) for status in ("passed", "deviation", "failed")}

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def deviations(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "deviation"]

    def summary(self) -> str:
        """One line per check kind, then the failures."""
        lines = [f"{self.namespace}:"]
        for check in CHECKS:
            c = self.counts(check)
            lines.append(
                f"  {check}: {c['passed']} passed, {c['deviation']} documented deviations, "
                f"{c['failed']} failed"
            )
        for o in self.failures:
            lines.append(f"  FAILED {o.check} {o.function} [{o.case}]: {o.detail}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


# ---------------------------------------------------------------------- the checks


def check_namespace(
    xp: Any,
    *,
    backend: str | None = None,
    checks: Iterable[Check] = CHECKS,
    max_examples: int = 4,
) -> Report:
    """Check `xp` against the standard's signatures, dtype lattice and special cases.

    Parameters
    ----------
    xp : namespace
        Any array API namespace: ``xb.namespace("torch")``, ``array_api_strict``...
    backend : str, optional
        The xpbridge backend whose registered deviations apply (default: the backend of an
        ``xb.namespace``; none for other namespaces).
    checks : iterable of str
        Among ``"signature"``, ``"dtype"`` and ``"special case"`` (default: all).
    max_examples : int
        Hypothesis examples per special case and dtype (each example computes up to eight
        operand tuples in one call).

    Returns
    -------
    Report
        Every outcome, with ``counts()``, ``failures`` and ``summary()``.

    Examples
    --------
    >>> import xpbridge as xb
    >>> from xpbridge.testing.conformance import check_namespace
    >>> report = check_namespace(xb.namespace("numpy"), checks=["signature"])
    >>> report.counts("signature")
    {'passed': 175, 'deviation': 0, 'failed': 0}
    """
    if backend is None:
        adapter = getattr(xp, "_adapter", None)
        backend = getattr(adapter, "name", None)
    report = Report(getattr(xp, "__name__", repr(xp)), backend)
    wanted = set(checks)
    unknown = wanted - set(CHECKS)
    if unknown:
        msg = f"unknown checks {sorted(unknown)}; choose among {', '.join(CHECKS)}"
        raise ValueError(msg)
    judge = _Judge(report, backend)
    if "signature" in wanted:
        _check_signatures(xp, judge)
    if "dtype" in wanted:
        _check_lattice(xp, judge)
        _check_result_dtypes(xp, judge)
    if "special case" in wanted:
        _check_special_cases(xp, judge, max_examples)
    return report


def assert_conforms(xp: Any, **options: Any) -> Report:
    """:func:`check_namespace`, raising ``AssertionError`` (listing them) on any failure."""
    __tracebackhide__ = True
    report = check_namespace(xp, **options)
    if report.failures:
        raise AssertionError(report.summary())
    return report


class _Judge:
    """Records outcomes, reading the deviations registry for xpbridge's backends."""

    def __init__(self, report: Report, backend: str | None) -> None:
        self.report, self.backend = report, backend

    def deviation(self, function: str, dtype: str | None, case: str = "") -> Any:
        if self.backend is None:
            return None
        from .._deviations import find

        found = find(self.backend, function, dtype, case=case)
        if found is None or (dtype is None and found.dtypes):
            return None
        # A function the backend cannot run at all (for this dtype) has no special cases
        # either; a narrower deviation counts only for the case it names.
        if found.case != case and not (found.kind == "unsupported" and not found.case):
            return None
        return found

    def record(
        self,
        check: Check,
        function: str,
        case: str,
        problem: str | None,
        *,
        dtypes: Sequence[str] = (),
        deviation_case: str = "",
    ) -> None:
        """`problem` None: the check passed. A registered deviation turns a failure into
        a deviation; an "unsupported" one that did not occur is itself a failure."""
        found = None
        for dtype in dtypes or (None,):
            found = found or self.deviation(function, dtype, deviation_case)
        status: Status = "passed"
        detail = ""
        if problem is not None:
            status, detail = ("deviation", found.reason) if found else ("failed", problem)
        elif found is not None and found.kind == "unsupported" and not deviation_case:
            status = "failed"
            detail = f"registered as unsupported ({found.reason}), yet it worked"
        self.report.outcomes.append(Outcome(check, function, case, status, detail))


def _lookup(xp: Any, path: str) -> Any:
    obj = xp
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _check_signatures(xp: Any, judge: _Judge) -> None:
    for path, spec in _parse_signatures().items():
        function = _lookup(xp, path)
        if function is None:
            judge.record("signature", path, "exists", "missing from the namespace")
            continue
        try:
            actual = inspect.signature(function)
        except (TypeError, ValueError) as exc:
            judge.record("signature", path, "parameters", f"no signature to inspect ({exc})")
            continue
        problems = signature_problems(actual, spec)
        judge.record("signature", path, str(spec), "; ".join(problems) or None)


def signature_problems(actual: inspect.Signature, spec: inspect.Signature) -> list[str]:
    """How `actual` differs from the standard's `spec` (empty: it conforms).

    Each parameter of `spec` must be there, in order, with its kind and default (one the
    standard requires may have a default); extra parameters must have defaults.
    """
    problems = []
    given = list(actual.parameters.values())
    kinds = inspect.Parameter
    for position, p in enumerate(spec.parameters.values()):
        if p.kind is kinds.VAR_POSITIONAL:
            found = next((q for q in given if q.kind is kinds.VAR_POSITIONAL), None)
        else:
            found = actual.parameters.get(p.name)
        if found is None:
            problems.append(f"no parameter {p.name!r}")
            continue
        if found.kind is not p.kind:
            problems.append(f"{p.name!r} is {found.kind.description}, not {p.kind.description}")
        if p.kind in (kinds.POSITIONAL_ONLY, kinds.POSITIONAL_OR_KEYWORD) and (
            position >= len(given) or given[position] is not found
        ):
            problems.append(f"{p.name!r} is not at position {position}")
        if p.default is not kinds.empty and not _same_default(found.default, p.default):
            problems.append(f"{p.name!r} defaults to {found.default!r}, not {p.default!r}")
    for q in given:
        extra = q.name not in spec.parameters and q.kind is not kinds.VAR_POSITIONAL
        if extra and q.default is kinds.empty and q.kind is not kinds.VAR_KEYWORD:
            problems.append(f"extra required parameter {q.name!r}")
    return problems


def _same_default(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _names(xp: Any) -> list[str]:
    """The standard's dtypes that `xp` has."""
    found = []
    for name in DTYPES:
        try:
            if getattr(xp, name, None) is not None:
                found.append(name)
        except Exception:  # noqa: BLE001,S112 - a dtype it refuses to name is one it lacks
            continue
    return found


def _kind_of(name: str, kinds: tuple[str, ...]) -> bool:
    return isdtype_name(name, kinds)


def _check_lattice(xp: Any, judge: _Judge) -> None:
    names = _names(xp)
    for a, b in product(names, repeat=2):
        expected = standard_promotion(a, b)
        case = f"{a}, {b}"
        problem = _ask(xp, "can_cast", (a, b), expected == b)
        judge.record("dtype", "can_cast", case, problem, dtypes=(a, b))
        if expected is None:
            continue  # the standard leaves the pair to the library
        problem = _ask(xp, "result_type", (a, b), expected)
        # A result dtype the backend lacks (MLX's complex128) is its deviation too.
        judge.record("dtype", "result_type", case, problem, dtypes=(a, b, expected))


def _ask(xp: Any, function: str, names: tuple[str, ...], expected: bool | str) -> str | None:
    """A problem with ``xp.<function>(*dtypes)``'s answer (a bool, or the dtype named
    `expected`), or None."""
    try:
        found = getattr(xp, function)(*(getattr(xp, n) for n in names))
    except Exception as exc:  # noqa: BLE001 - every failure is reported, not raised
        return f"raised {type(exc).__name__}: {exc}"
    right = found is expected if isinstance(expected, bool) else _name_of(xp, found) == expected
    return None if right else f"answered {found!r}, not {expected!r}"


def _name_of(xp: Any, dtype: Any) -> str | None:
    for name in DTYPES:
        if getattr(xp, name, None) == dtype:
            return name
    return None


def _one(xp: Any, name: str) -> Any:
    value = True if name == "bool" else 1
    return xp.asarray([value], dtype=getattr(xp, name))


def _check_result_dtypes(xp: Any, judge: _Judge) -> None:
    names = _names(xp)
    for function, (kinds, rule) in _DOMAINS.items():
        f = _lookup(xp, function)
        domain = [n for n in names if _kind_of(n, kinds)]
        if function in _UNARY:
            pairs: list[tuple[str, ...]] = [(n,) for n in domain]
        else:
            pairs = [(a, b) for a, b in product(domain, repeat=2)]
        for dtypes in pairs:
            expected = _expected_dtype(rule, dtypes)
            if expected is None:
                continue  # mixed kinds (or uint64 with signed): the library's choice
            problem = _result_problem(xp, f, dtypes, expected)
            # The function computes in the operands' promoted dtype: that is the dtype a
            # registered deviation (torch's uint16 arithmetic) is about.
            computed = standard_promotion(*dtypes) if len(dtypes) > 1 else dtypes[0]
            judge.record(
                "dtype", function, ", ".join(dtypes), problem, dtypes=(computed or dtypes[0],)
            )


def _expected_dtype(rule: str, dtypes: tuple[str, ...]) -> str | None:
    if rule == "bool":
        return "bool" if len(dtypes) == 1 or standard_promotion(*dtypes) else None
    if rule == "same":
        return dtypes[0] if len(set(dtypes)) == 1 else None
    if rule == "real":
        return _REAL_OF.get(dtypes[0], dtypes[0])
    return dtypes[0] if len(dtypes) == 1 else standard_promotion(*dtypes)


def _result_problem(xp: Any, f: Any, dtypes: tuple[str, ...], expected: str) -> str | None:
    if f is None:
        return "missing from the namespace"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = f(*(_one(xp, n) for n in dtypes))
    except (UnsupportedDTypeError, UnsupportedOperationError) as exc:
        return f"refused: {exc}"
    except Exception as exc:  # noqa: BLE001 - every failure is reported, not raised
        return f"raised {type(exc).__name__}: {exc}"
    found = _name_of(xp, result.dtype)
    return None if found == expected else f"gave {found or result.dtype}, not {expected}"


# ---------------------------------------------------------------------- special cases


def _strategies(xp: Any, dtype: Any, width: Literal[32, 64]) -> dict[str, Any]:
    """An element strategy per value set of the table, for one floating dtype."""
    from hypothesis import strategies as st
    from hypothesis.extra.array_api import make_strategies_namespace

    with warnings.catch_warnings():
        # Its arrays are the libraries' own, which need not have __array_namespace__.
        warnings.simplefilter("ignore")
        xps = make_strategies_namespace(xp, api_version="2024.12")

    def floats(**options: Any) -> Any:
        return xps.from_dtype(dtype, **options)

    integers = st.integers(-(2**20), 2**20)
    odd = integers.map(lambda i: float(2 * i + 1))
    even = integers.map(lambda i: float(2 * i))
    nonint = st.floats(-1e6, 1e6, width=width).filter(lambda v: v != int(v))
    infinities = st.sampled_from([math.inf, -math.inf])
    return {
        "any": floats(),
        "not_nan": floats(allow_nan=False),
        "finite": floats(allow_nan=False, allow_infinity=False),
        "nonzero_finite": floats(allow_nan=False, allow_infinity=False).filter(bool),
        "pos_finite": floats(min_value=0, exclude_min=True, allow_infinity=False),
        "neg_finite": floats(max_value=0, exclude_max=True, allow_infinity=False),
        "gt0": floats(min_value=0, exclude_min=True),
        "lt0": floats(max_value=0, exclude_max=True),
        "gt1": floats(min_value=1, exclude_min=True),
        "lt1": floats(max_value=1, exclude_max=True, allow_nan=False),
        "lt-1": floats(max_value=-1, exclude_max=True),
        "not1": floats().filter(lambda v: v != 1),
        "not0": floats().filter(lambda v: v != 0),
        "nonzero": floats(allow_nan=False).filter(bool),
        "abs_gt1": st.one_of(
            floats(min_value=1, exclude_min=True), floats(max_value=-1, exclude_max=True)
        ),
        "abs_lt1": floats(min_value=-1, max_value=1, exclude_min=True, exclude_max=True),
        "abs_eq1": st.sampled_from([1.0, -1.0]),
        "finite_or_nan": st.one_of(
            floats(allow_nan=False, allow_infinity=False), st.just(math.nan)
        ),
        "int_value": integers.map(float),
        "odd_int": odd,
        "not_odd_int": st.one_of(even, nonint, infinities),
        "gt0_odd_int": odd.map(abs),
        "gt0_not_odd_int": st.one_of(
            even.map(abs).filter(bool), nonint.map(abs), st.just(math.inf)
        ),
        "lt0_odd_int": odd.map(lambda v: -abs(v)),
        "lt0_not_odd_int": st.one_of(
            even.map(lambda v: -abs(v)).filter(bool),
            nonint.map(lambda v: -abs(v)),
            st.just(-math.inf),
        ),
        "noninteger_finite": nonint,
    }


_STRATEGIES: dict[tuple[int, str], dict[str, Any]] = {}


def _cached_strategies(xp: Any, real: str, width: Literal[32, 64]) -> dict[str, Any]:
    key = (id(xp), real)
    found = _STRATEGIES.get(key)
    if found is None:
        found = _STRATEGIES[key] = _strategies(xp, getattr(xp, real), width)
    return found


def _operand_strategy(operand: str, strategies: dict[str, Any]) -> Any:
    from hypothesis import strategies as st

    exact = _special_cases.value_of(operand)
    return st.just(exact) if exact is not None else strategies[operand]


def _check_special_cases(xp: Any, judge: _Judge, max_examples: int) -> None:
    floats = [n for n in ("float32", "float64") if n in _names(xp)]
    by_function: dict[tuple[str, str], list[str | None]] = {}
    for case in _special_cases.cases():
        f = _lookup(xp, case.function)
        for real in floats:
            dtype = _COMPLEX_OF[real] if case.domain == "complex" else real
            if case.domain == "complex" and dtype not in _names(xp):
                continue
            problem = _run_case(xp, f, case, real, dtype, max_examples)
            judge.record(
                "special case",
                case.function,
                f"{dtype}: {case.text}",
                problem,
                dtypes=(dtype,),
                deviation_case="special cases",
            )
            by_function.setdefault((case.function, dtype), []).append(problem)
    for (function, dtype), problems in by_function.items():
        registered = judge.deviation(function, dtype, "special cases")
        if registered is not None and not any(problems):
            judge.report.outcomes.append(
                Outcome(
                    "special case",
                    function,
                    f"{dtype}: registered deviation",
                    "failed",
                    f"registered ({registered.reason}), yet every special case held",
                )
            )


def _run_case(
    xp: Any, f: Any, case: _special_cases.Case, real: str, dtype: str, max_examples: int
) -> str | None:
    if f is None:
        return "missing from the namespace"
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import strategies as st

    width: Literal[32, 64] = 32 if real == "float32" else 64
    strategies = _cached_strategies(xp, real, width)
    operands = [_operand_strategy(o, strategies) for o in case.operands]
    rtol = 1e-5 if width == 32 else 1e-12
    failure: list[str] = []

    @settings(
        max_examples=max_examples,
        database=None,
        derandomize=True,
        deadline=None,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        # No shrinking: the message names the values; the table's case names the rule.
        phases=[Phase.explicit, Phase.generate],
    )
    # Several operand tuples per example, computed in one call on a 1-d array (of one
    # length: libraries that compile per shape, like JAX, compile once).
    @given(st.lists(st.tuples(*operands), min_size=_BATCH, max_size=_BATCH))
    def run(batch: list[tuple[float, ...]]) -> None:
        problem = _evaluate(xp, f, case, dtype, batch, rtol)
        if problem is not None:
            failure[:] = [problem]
            raise AssertionError(problem)

    try:
        run()
    except AssertionError:
        return failure[0] if failure else "failed"
    except Exception as exc:  # noqa: BLE001 - every failure is reported, not raised
        return f"raised {type(exc).__name__}: {exc}"
    return None


#: Operand tuples per hypothesis example.
_BATCH: Final = 8


def _host_list(x: Any) -> list[Any]:
    """The elements of a 1-d array as Python numbers, whatever its library."""
    tolist = getattr(x, "tolist", None)
    if tolist is not None:
        found: list[Any] = tolist()
        return found
    import numpy as np

    return list(np.asarray(x).tolist())  # Dask computes; others by the buffer protocol


def _evaluate(
    xp: Any,
    f: Any,
    case: _special_cases.Case,
    dtype: str,
    batch: list[tuple[float, ...]],
    rtol: float,
) -> str | None:
    native = getattr(xp, dtype)
    columns = list(zip(*batch, strict=True))
    results: list[tuple[Any, ...]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if case.domain == "complex":
                z = [complex(a, b) for a, b in batch]
                out = f(xp.asarray(z, dtype=native))
                if case.results[0] in {"True", "False"}:
                    results = [(bool(v),) for v in _host_list(out)]
                elif not xp.isdtype(out.dtype, "complex floating"):  # abs: a real result
                    results = [(float(v), 0.0) for v in _host_list(out)]
                else:
                    parts = zip(_host_list(xp.real(out)), _host_list(xp.imag(out)), strict=True)
                    results = [(float(re), float(im)) for re, im in parts]
            else:
                out = f(*(xp.asarray(list(column), dtype=native) for column in columns))
                kind = bool if case.results[0] in {"True", "False"} else float
                results = [(kind(v),) for v in _host_list(out)]
        except (UnsupportedDTypeError, UnsupportedOperationError) as exc:
            return f"refused: {exc}"
    names = (
        ("a", "b") if case.domain == "complex" else ("x",) if len(columns) == 1 else ("x1", "x2")
    )
    for values, actual in zip(batch, results, strict=True):
        operands = dict(zip(names, values, strict=True))
        for expected, got in zip(case.results, actual, strict=True):
            if not _special_cases.matches(expected, got, operands, rtol):
                given = ", ".join(_special_cases.describe(v) for v in values)
                shown = ", ".join(_special_cases.describe(v) for v in actual)
                return f"{case.function}({given}) gave {shown}, not {', '.join(case.results)}"
    return None


# ---------------------------------------------------------------------- the docs' table


def report_table(reports: Sequence[Report]) -> str:
    """The Markdown table of the docs: per namespace and check, passed / documented
    deviations / failed."""
    rows = [
        "| namespace | check | passed | documented deviations | failed |",
        "|---|---|---|---|---|",
    ]
    for report in reports:
        for check in CHECKS:
            c = report.counts(check)
            if not any(c.values()):
                continue
            rows.append(
                f"| {report.backend or report.namespace} | {check} | {c['passed']} "
                f"| {c['deviation']} | {c['failed']} |"
            )
        total = report.counts()
        rows.append(
            f"| {report.backend or report.namespace} | **all** | **{total['passed']}** "
            f"| **{total['deviation']}** | **{total['failed']}** |"
        )
    return "\n".join(rows)


def deviation_list(reports: Sequence[Report]) -> str:
    """The documented deviations the reports met, one line per function and reason."""
    seen: dict[tuple[str, str, str], int] = {}
    for report in reports:
        for o in report.deviations:
            key = (report.backend or report.namespace, o.function, o.detail)
            seen[key] = seen.get(key, 0) + 1
    return "\n".join(
        f"* {backend}, `{function}` ({n} checks): {textwrap.shorten(reason, 300)}"
        for (backend, function, reason), n in sorted(seen.items())
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m xpbridge.testing.conformance [backend ...]``: print each report."""
    import sys

    from .._backends import available_backends
    from .._namespace import namespace

    names = list(sys.argv[1:] if argv is None else argv) or available_backends()
    reports = [check_namespace(namespace(name)) for name in names]
    for report in reports:
        print(report.summary())
    print(report_table(reports))
    return 1 if any(r.failures for r in reports) else 0


if __name__ == "__main__":
    raise SystemExit(main())
