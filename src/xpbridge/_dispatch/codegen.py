"""The source text of a public function: its fast paths, then the way out to the general path.

``exp``, for example, with its tables at slots 0 to 5 and its general path in ``_call0``::

    def exp(x, /):
        _t = x.__class__
        try:
            _f = _ROWS[_t][0]           # the fast table's entry for arrays of type _t
        except KeyError:
            _f = _new_row(_t)[0]        # a type met for the first time
        try:
            return _f(x)
        except Exception:
            pass
        return _call0((x,))             # the general path: Function.call

Generated code refers to its tables by slot (see :mod:`.tables`) and to the helpers of
:func:`runtime_names`. The golden files ``tests/golden/dispatch/*.py`` pin the text down for
one function of each shape.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from .general_path import reraise_translated
from .signature import EMPTY, SCALAR_TYPES
from .tables import ROWS, GeneralPath, new_row

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from .registry import Function
    from .signature import Param

__all__ = ["generate", "runtime_names"]


def generate(
    function: Function,
    slots: Mapping[str, int],
    *,
    bound: tuple[str, Callable[[tuple[Any, ...]], Any]] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The text of `function`'s public function, reading its tables at `slots`, and the
    globals of its own that it uses (named uniquely by its fast slot: ``_call3``,
    ``_d3_axis``).

    `bound` makes the function of a backend's namespace instead: ``(tag, general)``, where
    `general` is the general path bound to that backend, taking the arguments of the
    signature without xpbridge's routing parameters (``backend``, ``like``, ``xp``), and
    `tag` names its global uniquely (``_call3_torch``). Its fast paths are the same.
    """
    return _Writer(function, slots, bound).source()


def runtime_names() -> dict[str, Any]:
    """The globals every generated function uses."""
    return {
        "_ROWS": ROWS,
        "_general": GeneralPath,
        "_new_row": new_row,
        "_reraise": reraise_translated,
        "_scalars": SCALAR_TYPES,
        "_unexpected": _unexpected_keyword,
    }


def _unexpected_keyword(name: str, extra: dict[str, Any]) -> None:
    """Python's own error for a keyword the signature lacks."""
    msg = f"{name}() got an unexpected keyword argument {next(iter(extra))!r}"
    raise TypeError(msg)


def keyword_options(function: Function, params: Sequence[Param] | None = None) -> list[Param]:
    """The keyword-only parameters the generated code takes as ``**_kw``: all of them when
    there are three or more, all with defaults; else none (Python's own handling).
    `params`: the signature's parameters, when not all of the function's."""
    params = function.params if params is None else params
    options = [p for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]
    # CPython 3.11 fills each missing keyword-only default per call (~4 ns each) while
    # **_kw costs one empty dict (~12 ns): only worth it from three options up.
    if len(options) < 3 or any(p.required for p in options):
        return []
    return options


class _Writer:
    """Writes the source of one function whose tables sit at `slots`."""

    def __init__(
        self,
        function: Function,
        slots: Mapping[str, int],
        bound: tuple[str, Callable[[tuple[Any, ...]], Any]] | None = None,
    ) -> None:
        self.function = function
        self.slots = slots
        self.tag = slots["fast"]
        self.general: Callable[[tuple[Any, ...]], Any] = function.call
        #: The signature's parameters, and the global of the general path.
        self.params = function.params
        self.call = f"_call{self.tag}"
        if bound is not None:
            self.params = function.impl_params
            self.call += f"_{bound[0]}"
            self.general = bound[1]

    def source(self) -> tuple[str, dict[str, Any]]:
        function, params, call = self.function, self.params, self.call
        names: dict[str, Any] = {call: self.general}
        header: list[str] = []
        keyword_only = False
        fast = self.fast_body()
        options = keyword_options(function, params) if fast else []
        for i, p in enumerate(params):
            text = p.name
            if p.default is not EMPTY:
                names[self.default_name(p)] = p.default
            if p in options:
                continue
            if p.kind is inspect.Parameter.VAR_POSITIONAL:
                text, keyword_only = f"*{p.name}", True
            elif p.kind is inspect.Parameter.KEYWORD_ONLY and not keyword_only:
                header.append("*")
                keyword_only = True
            if p.default is not EMPTY:
                text += f"={self.default(p)}"
            header.append(text)
            following = params[i + 1].kind if i + 1 < len(params) else None
            if p.kind is inspect.Parameter.POSITIONAL_ONLY and following is not p.kind:
                header.append("/")
        body = fast
        if options:
            # Keyword-only options arrive in **_kw: a call without them (the fast path) then
            # costs one empty dict instead of filling each default.
            header.append("**_kw")
            body += [f"{p.name} = _kw.pop({p.name!r}, {self.default(p)})" for p in options]
            body += ["if _kw:", f"    _unexpected({function.name!r}, _kw)"]
        body += self.scalar_body() + self.full_body()
        values = ", ".join(p.name for p in params)
        body.append(f"return {call}(({values},))" if values else f"return {call}(())")
        lines = [f"def {function.name}({', '.join(header)}):", *("    " + line for line in body)]
        return "\n".join(lines) + "\n", names

    def fast_body(self) -> list[str]:
        """One type check per array argument, identity checks of the options, one lookup.

        Any error of the fast call sends the call down the general path, which applies the
        full rules: it promotes where the library's own function refused (torch's matmul of
        two dtypes), or raises the error explained (after the except block, so the
        traceback does not chain the fast call's error).
        """
        function = self.function
        variadic = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in function.params)
        if not function.fast_arrays or function.creation or variadic:
            return []
        arrays = [function.fast_params[i].name for i in function.fast_arrays]
        required = ", ".join(p.name for p in function.fast_params)
        checks = [f"{name}.__class__ is _t" for name in arrays[1:]]
        options = keyword_options(function, self.params)
        checks += [
            f"{p.name} is {self.default(p)}"
            for p in self.params
            if not p.required and p not in options
        ]
        if options:
            checks.append("not _kw")
        values = ", ".join(self.value(p, options) for p in self.params)
        general = f"return {self.call}(({values},))"
        if len(function.promotes) > 1:
            # None: the library's own function is exact only for identical dtypes (torch).
            first, *others = (function.fast_params[i].name for i in function.promotes)
            differ = " or ".join(f"{first}.dtype is not {other}.dtype" for other in others)
            inner = [
                "try:",
                "    _r = _ROWS[_t]",
                "except KeyError:",
                "    _r = _new_row(_t)",
                f"_f = _r[{self.slots['fast']}]",
                "if _f is None:",
                f"    if {differ}:",
                f"        {general}",
                f"    _f = _r[{self.slots['same']}]",
            ]
        else:
            inner = self.lookup("fast")
        inner += ["try:", f"    return _f({required})", "except Exception:", "    pass"]
        # ``x.__class__``, not ``type(x)``: as fast (a specialized attribute load in CPython
        # 3.11) and torch.compile then guards the table lookup in C++ (``type(x)`` reaches
        # the class through a second route, torch's module, and costs a Python-level
        # aliasing guard on every compiled call).
        lines = [f"_t = {arrays[0]}.__class__"]
        if checks:
            lines.append(f"if {' and '.join(checks)}:")
            lines += ["    " + line for line in [*inner, general]]
        else:
            lines += inner  # falls through to the general path below
        return lines

    def scalar_body(self) -> list[str]:
        """Binary functions of an array and a Python scalar (``xb.multiply(x, 0.5)``).

        The general path would pass the scalar through unchanged (weakly typed) to the
        backend's implementation, so call that directly: (array, scalar) through its own
        table (the library's function where the adapter says it is exact), (scalar, array)
        through the implementation.
        """
        function = self.function
        params = function.params
        if (
            len(params) != 2
            or not all(p.required and p.role == "array" for p in params)
            or function.generic
            or function.creation
        ):
            return []
        first, second = (p.name for p in params)
        call = f"_f({first}, {second})"
        lines = []
        if params[1].scalar_ok:
            # type(), not __class__, for the scalar: torch.compile mis-guards
            # ``float.__class__`` membership in a frozenset (its guard fails on the frame
            # that made it).
            lines += [f"if type({second}) in _scalars:"]
            lines += ["    " + line for line in self.guarded_call(call, "scal")]
        if params[0].scalar_ok:
            lines += [f"if type({first}) in _scalars:", f"    _t = {second}.__class__"]
            lines += ["    " + line for line in self.guarded_call(call, "rfull")]
        return lines

    def full_body(self) -> list[str]:
        """Functions of one array with options given: one lookup, no argument rewriting."""
        function = self.function
        carriers = [p for p in function.params if p.role in {"array", "arrays"}]
        has_options = any(not p.required for p in function.params)
        if (
            len(carriers) != 1
            or carriers[0].role != "array"
            or not carriers[0].required
            or not has_options
            or function.creation
            or function.generic
        ):
            return []
        args = [p.name if p.positional else f"{p.name}={p.name}" for p in function.impl_params]
        call = f"_f({', '.join(args)})"
        spellings = [p.name for p in function.impl_params if p.role in {"dtype", "device"}]
        if not spellings:
            return self.guarded_call(call, "full")
        # No dtype or device given: nothing to translate, so the untranslating callable.
        plain = " and ".join(f"{name} is None" for name in spellings)
        raw = ["    " + line for line in self.guarded_call(call, "fullraw")]
        return [f"if {plain}:", *raw, *self.guarded_call(call, "full")]

    def lookup(self, kind: str) -> list[str]:
        """``_f``: the callable of table `kind` for `_t` (its row made on first sight)."""
        slot = self.slots[kind]
        return [
            "try:",
            f"    _f = _ROWS[_t][{slot}]",
            "except KeyError:",
            f"    _f = _new_row(_t)[{slot}]",
        ]

    def guarded_call(self, call: str, kind: str) -> list[str]:
        """Look up table `kind` for `_t`, then run `call`, translating errors."""
        return [
            *self.lookup(kind),
            "try:",
            f"    return {call}",
            "except _general:",  # no backend owns _t: the general path below
            "    pass",
            "except Exception as _exc:",
            f"    _reraise(_exc, _t, {self.function.path!r})",
            "    raise",
        ]

    def default_name(self, p: Param) -> str:
        return f"_d{self.tag}_{p.name}"

    def default(self, p: Param) -> str:
        """How the generated code spells `p`'s default: a literal for None, True and False
        (a constant load, cheaper than a global one), else its global."""
        if p.default is None or p.default is True or p.default is False:
            return repr(p.default)
        return self.default_name(p)

    def value(self, p: Param, options: list[Param]) -> str:
        """How the fast path passes `p` on to the general path (options not given:
        defaults)."""
        return self.default(p) if p in options else p.name
