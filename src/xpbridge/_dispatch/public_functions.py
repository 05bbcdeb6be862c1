"""Building the public function of a declaration: compiled from generated code (fast paths,
see :mod:`.codegen`), or, for debugging, a plain function that always takes the general path.

The switch
----------
Set ``XPBRIDGE_DISPATCH=general`` before importing xpbridge to build every public function
without generated code, or build some that way within ``with use_generated(False):``.
Results are the same on both paths (``tests/test_dispatch_switch.py``); only speed differs,
and a traceback then shows :meth:`Function.call` directly. Public modules build each
function on first use and keep it: a function first used inside the ``with`` block stays a
general-path one.
"""

from __future__ import annotations

import contextlib
import itertools
import linecache
import os
from typing import TYPE_CHECKING, Any, Final

from .codegen import generate, runtime_names
from .registry import REGISTRY, Function
from .tables import FILLERS, allocate_slots

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from .._backends._base import Adapter

__all__ = ["ENV_SWITCH", "materialize", "use_generated", "uses_generated"]

#: The environment variable read at import: ``general`` turns generated code off.
ENV_SWITCH: Final = "XPBRIDGE_DISPATCH"

_settings = {"generated": os.environ.get(ENV_SWITCH, "").strip().lower() != "general"}
_counter = itertools.count()
#: The one global scope of every generated function (see :mod:`.tables`).
_SCOPE: dict[str, Any] = {}


def uses_generated() -> bool:
    """Whether :func:`materialize` builds functions from generated code (the default)."""
    return _settings["generated"]


@contextlib.contextmanager
def use_generated(enabled: bool) -> Iterator[None]:
    """Within the block, :func:`materialize` builds functions from generated code (True)
    or as plain functions that always take the general path (False)."""
    previous = _settings["generated"]
    _settings["generated"] = enabled
    try:
        yield
    finally:
        _settings["generated"] = previous


def materialize(
    path: str, module: str, *, home: tuple[Adapter, Any] | None = None
) -> Callable[..., Any]:
    """Build the public function for `path` with exactly its stub's signature.

    With `home` (``(adapter, device)``), build the function of that backend's namespace
    instead: the same fast paths, the signature without xpbridge's routing parameters
    (``backend``, ``like``, ``xp``), and calls with no array argument running on that
    backend and device.
    """
    function = REGISTRY[path]
    general = None if home is None else function.bound_call(*home)
    build = _compiled if uses_generated() else _general_only
    public = build(function, general)
    signature = function.signature if home is None else function.namespace_signature
    public.__doc__ = function.stub.__doc__
    public.__module__ = module
    public.__qualname__ = function.name
    public.__annotations__ = {
        name: annotation
        for name, annotation in function.stub.__annotations__.items()
        if name == "return" or name in signature.parameters
    }
    public.__signature__ = signature  # type: ignore[attr-defined]
    public.__xpbridge_function__ = function  # type: ignore[attr-defined]
    return public


def _compiled(
    function: Function, general: Callable[[tuple[Any, ...]], Any] | None = None
) -> Callable[..., Any]:
    if not FILLERS:
        # Slots for every declared function at once (on the first compile), so that rows
        # made while torch.compile traces (symbolically, not extended by later compiles)
        # are whole.
        allocate_slots([f.tables for f in REGISTRY.values()])
    if not function.slots:  # declared after the first compile
        allocate_slots([function.tables])
    number = next(_counter)
    bound = None if general is None else (f"n{number}", general)
    source, names = generate(function, function.slots, bound=bound)
    filename = f"<xpbridge.{function.path} #{number}>"
    # Let tracebacks and inspect.getsource show the generated code.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    scope = _shared_scope()
    scope.update(names)
    code = compile(source, filename, "exec")
    exec(code, scope)  # noqa: S102 - code built from our own stubs
    # Taken back out of the shared scope: a public function named like a builtin (sum,
    # max...) must not shadow it for the other generated functions.
    public: Callable[..., Any] = scope.pop(function.name)
    return public


def _shared_scope() -> dict[str, Any]:
    if not _SCOPE:
        _SCOPE.update(runtime_names())
    return _SCOPE


def _general_only(
    function: Function, general: Callable[[tuple[Any, ...]], Any] | None = None
) -> Callable[..., Any]:
    """A plain function with the stub's signature (without the routing parameters for a
    namespace's `general`) that always calls the general path."""
    call: Callable[[tuple[Any, ...]], Any] = function.call if general is None else general
    signature = function.signature if general is None else function.namespace_signature
    names = list(signature.parameters)

    def public(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return call(tuple(bound.arguments[name] for name in names))

    public.__name__ = function.name
    return public
