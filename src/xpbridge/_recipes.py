"""Running conversions: decisions made once, reused while the facts that decide stay the same.

A conversion is decided by :func:`xpbridge._plan.decide` from the array's facts. Most
facts that decide (dtype, device, read-only, gradients...) are the same for most arrays a
program converts, and computing them all (``Adapter.facts``) costs microseconds. So each
decision is stored as a :class:`Recipe` under the array's *traits* (``Adapter.traits``: a
cheap, hashable summary that determines every fact the planner reads) and the request
(target, device, dtype, copy, detach), and a later conversion with the same traits and
request runs the same steps. There is no second set of checks: a recipe is the planner's
decision, and the traits are its inputs.

What else a decision depends on is keyed too, but only where it did: the gradient mode
(only decisions about arrays that require grad read it) and process-wide library settings
(``Adapter.state``: JAX's 64-bit mode). A step that fails at run time (an input whose
traits left out a fact its route refuses, see ``Adapter.traits``) sends the call to the
full planner, which reads every fact.

Requests with ``copy=False`` are always planned in full: their errors list every reason a
copy would be needed, which only the full facts tell.

While an ``xb.guard`` or ``xb.audit`` is open (``xpbridge._watch.ACTIVE``), each conversion
also goes through ``xpbridge._watch.watched`` with the plan it runs; otherwise that check
is the only cost (the shortcuts that run a decision inline make the same check first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ._backends import adapter_for_type, get_adapter
from ._config import get_grad_mode, read_grad_mode
from ._errors import BridgeError, CopyRequiredError, UnsupportedOperationError
from ._plan import decide
from ._watch import ACTIVE, watched

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable

    from ._backends._base import Adapter
    from ._plan import Plan

__all__ = [
    "Recipe",
    "after_failure",
    "check_independent",
    "clear",
    "convert",
    "detached_requests",
    "failure",
    "lift",
    "lift_request",
    "plain_requests",
    "run",
    "run_plan",
    "run_watched",
]

#: Above this many decisions per table (or tables), the cache starts again: a program that
#: makes that many kinds of array is not helped by remembering them all.
_LIMIT: Final = 1024


class Recipe:
    """A decided conversion: the plan, and one callable that runs its steps."""

    __slots__ = ("plan", "run")

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.run: Callable[[Any], Any] = _runner(plan)

    def plan_now(self, x: Any) -> Plan:
        """The plan :attr:`run` runs for `x`."""
        return self.plan


def _runner(plan: Plan) -> Callable[[Any], Any]:
    runs = tuple(step.run for step in plan.steps)
    if not runs:
        return _identity
    if len(runs) == 1:
        return runs[0]  # often the library's own function (torch.from_numpy)
    if len(runs) == 2:  # (detach, Tensor.numpy), (copy, import)...: no loop
        first, second = runs

        def both(x: Any) -> Any:
            return second(first(x))

        return both

    def steps(x: Any) -> Any:
        for run in runs:
            x = run(x)
        return x

    return steps


def _identity(x: Any) -> Any:
    return x


class _ByGradMode:
    """Recipes of a decision that read the gradient mode, one per mode."""

    __slots__ = ("by_mode", "request", "run")

    def __init__(self, request: _Request) -> None:
        self.request = request
        self.by_mode: dict[str, Recipe] = {}
        by_mode = self.by_mode

        def run(x: Any) -> Any:  # a closure: no attribute lookups on the hot path
            recipe = by_mode.get(read_grad_mode())
            if recipe is None:
                return self._first_in_mode(x)
            return recipe.run(x)

        self.run = run

    def _first_in_mode(self, x: Any) -> Any:
        plan = self.request.plan(x)
        if plan.error is not None:
            return run_plan(plan, x)  # raises
        recipe = self.by_mode[get_grad_mode()] = Recipe(plan)
        return recipe.run(x)

    def plan_now(self, x: Any) -> Plan:
        """The plan :attr:`run` runs for `x` in this context's gradient mode."""
        recipe = self.by_mode.get(get_grad_mode())
        return recipe.plan if recipe is not None else self.request.plan(x)


class _Request:
    """What a conversion asks for, and the decisions made for it so far, by traits."""

    __slots__ = (
        "chunks",
        "copy",
        "detach",
        "device",
        "dtype",
        "lift",
        "recipes",
        "target",
        "traits",
    )

    def __init__(
        self,
        cls: type,
        source: Adapter,
        target: Adapter,
        device: Any,
        dtype: Any,
        copy: bool | None,
        detach: bool | None,
        lift: str | None,
    ) -> None:
        self.target = target
        self.device, self.dtype, self.copy, self.detach = device, dtype, copy, detach
        self.lift = lift
        self.chunks = None
        self.recipes: dict[Hashable, Recipe | _ByGradMode] = {}
        # The source's settings matter only where it casts or moves (JAX's 64-bit mode
        # changes what it can cast to); its arrays' own dtypes are what they are.
        source_state = source.stateful and (dtype is not None or device is not None)
        self.traits = _traits_of(source.traits_of(cls), source if source_state else None, target)

    def plan(self, x: Any) -> Plan:
        return decide(
            x,
            self.target,
            device=self.device,
            dtype=self.dtype,
            copy=self.copy,
            detach=self.detach,
            lift=self.lift,
        )

    def first(self, x: Any, traits: Hashable) -> Any:
        """Decide for `x` (whose traits are `traits`), remember the decision, run it."""
        plan = self.plan(x)
        self.learn(plan, traits)
        result = run_plan(plan, x, copy=self.copy, context=self.lift)
        if self.copy:
            check_independent(x, result)
        return result

    def learn(self, plan: Plan, traits: Hashable) -> None:
        """Remember `plan` as the decision for arrays with these traits (refusals are not
        remembered: they are the slow path anyway, and some hang on the process' state,
        such as whether ml_dtypes is imported)."""
        if plan.error is not None:
            return
        recipe: Recipe | _ByGradMode
        if plan.reads_grad_mode:
            recipe = _ByGradMode(self)
            recipe.by_mode[get_grad_mode()] = Recipe(plan)
        else:
            recipe = Recipe(plan)
        if len(self.recipes) >= _LIMIT:
            self.recipes.clear()
        self.recipes[traits] = recipe


def _traits_of(
    traits: Callable[[Any], Hashable], source: Adapter | None, target: Adapter
) -> Callable[[Any], Hashable]:
    """The traits function of a request: the source's for its class, with the libraries'
    settings where they can change (see ``Adapter.stateful``; `source` None: its settings
    do not matter to this request)."""
    if source is not None and source.stateful:
        if target.stateful:
            return lambda x: (traits(x), source.state(), target.state())
        return lambda x: (traits(x), source.state())
    if target.stateful:
        return lambda x: (traits(x), target.state())
    return traits


def check_independent(x: Any, result: Any) -> None:
    """Belt and braces for copy=True, once per decision: the result must not overlap the
    input's memory."""
    from ._inspect import may_share_memory

    if may_share_memory(x, result):
        msg = (
            "internal error: a copy=True conversion produced memory that overlaps its input; "
            "please report this with xb.info() of the input"
        )
        raise CopyRequiredError(msg)


#: (array type, target, device, dtype, copy, detach[, lift context]) -> its request.
_REQUESTS: dict[tuple[Any, ...], _Request] = {}
#: Target -> array type -> the request of plain conversions (no option given): what the
#: public shortcuts look up first, with one dict lookup instead of building a key.
PLAIN: Final[dict[str, dict[type, _Request]]] = {}
#: The same for conversions with ``detach=True`` alone (logging a loss each step).
DETACHED: Final[dict[str, dict[type, _Request]]] = {}


def plain_requests(backend: str) -> dict[type, _Request]:
    """The plain requests to `backend` (a dict that stays the same object: callers keep it)."""
    return PLAIN.setdefault(backend, {})


def detached_requests(backend: str) -> dict[type, _Request]:
    """The requests to `backend` with ``detach=True`` alone (the same object, as above)."""
    return DETACHED.setdefault(backend, {})


def clear() -> None:
    """Forget every decision (tests that change what the planner sees call it)."""
    _REQUESTS.clear()
    for requests in (*PLAIN.values(), *DETACHED.values()):
        requests.clear()


def _request(key: tuple[Any, ...], cls: type, target: Adapter) -> _Request:
    source = adapter_for_type(cls)
    assert source is not None
    _, _, device, dtype, copy, detach, *lift = key
    request = _Request(cls, source, target, device, dtype, copy, detach, lift[0] if lift else None)
    if len(_REQUESTS) >= _LIMIT:
        clear()
    _REQUESTS[key] = request
    if device is None and dtype is None and copy is None and not lift:
        if detach is None:
            plain_requests(target.name)[cls] = request
        elif detach:
            detached_requests(target.name)[cls] = request
    return request


def convert(
    x: Any,
    backend: str,
    device: Any,
    dtype: Any,
    copy: bool | None,
    detach: bool | None,
) -> Any:
    """Convert `x` to `backend` as decided for its traits; ``NotImplemented`` if `x` is no
    array of a known library."""
    key = (x.__class__, backend, device, dtype, copy, detach)
    try:
        request = _REQUESTS[key]
    except KeyError:
        if adapter_for_type(x.__class__) is None:
            return NotImplemented  # not an array: Python values and array-likes get planned
        request = _request(key, x.__class__, get_adapter(backend))
    except TypeError:  # an unhashable device or dtype: decide for this call alone
        target = get_adapter(backend)
        plan = decide(x, target, device=device, dtype=dtype, copy=copy, detach=detach)
        return run_plan(plan, x, copy=copy)
    return run(request, x)


def lift_request(cls: type, target: Adapter, device: Any, context: str) -> _Request:
    """The request of lifting arrays of type `cls` into `target` on `device` for a mixed
    call named `context` (for callers that keep it: see ``xpbridge._dispatch.lanes``)."""
    key = (cls, target.name, device, None, None, None, context)
    try:
        return _REQUESTS[key]
    except KeyError:
        return _request(key, cls, target)


def lift(x: Any, target: Adapter, device: Any, context: str) -> Any:
    """Bring array `x` into `target` for a mixed call named `context`: zero-copy where
    possible, never moved (a move is refused with :class:`DeviceMismatchError`)."""
    try:
        request = lift_request(x.__class__, target, device, context)
    except TypeError:  # an unhashable device: decide for this call alone
        return run_plan(decide(x, target, device=device, lift=context), x, context=context)
    return run(request, x)


def run(request: _Request, x: Any) -> Any:
    """Convert `x` as `request` decided for arrays with its traits (deciding if new)."""
    traits = request.traits(x)
    try:
        recipe = request.recipes[traits]
    except KeyError:
        return request.first(x, traits)
    if ACTIVE[0]:
        return run_watched(request, recipe, x)
    try:
        return recipe.run(x)
    except Exception as exc:  # noqa: BLE001 - a route refused, or the input failed
        return after_failure(request, recipe, x, exc)


def after_failure(request: _Request, recipe: Recipe | _ByGradMode, x: Any, exc: Exception) -> Any:
    """`recipe`, decided for `request`, failed on `x` with `exc`. If the full planner,
    reading every fact, decides otherwise (a fact the traits leave out, see
    ``Adapter.traits``), run its plan; if it decides the same, the failure is the input's
    own: explain it without running it again (a Dask graph would compute twice)."""
    if isinstance(exc, BridgeError):
        raise exc
    plan = request.plan(x)
    if plan.error is None and plan == getattr(recipe, "plan", None):
        error = failure(plan, exc)
        if error is exc:
            raise exc
        raise error from exc
    return run_plan(plan, x, copy=request.copy, context=request.lift)


def run_watched(request: _Request, recipe: Recipe | _ByGradMode, x: Any) -> Any:
    """`recipe` (a decision of `request`) run on `x` under the context's guard and audits
    (see ``_watch``): for the callers that found it themselves while one is open."""
    copy, context = request.copy, request.lift
    try:
        return watched(recipe.plan_now(x), recipe.run, x, copy, context, True)
    except Exception as exc:  # noqa: BLE001 - a route refused, or the input failed
        return after_failure(request, recipe, x, exc)


def run_plan(record: Plan, x: Any, *, copy: bool | None = None, context: str | None = None) -> Any:
    """Run a plan decided for this call alone, explaining a failing step.

    `copy` (the call's ``copy=``) and `context` (the mixed call lifting `x`, if any) tell
    an open ``xb.guard`` or ``xb.audit`` what was asked for.
    """
    if ACTIVE[0]:
        return watched(record, lambda v: _execute(record, v), x, copy=copy, context=context)
    return _execute(record, x)


def _execute(record: Plan, x: Any) -> Any:
    try:
        return record.execute(x)
    except BridgeError:
        raise
    except Exception as exc:
        error = failure(record, exc)
        if error is exc:
            raise
        raise error from exc


def failure(record: Plan, exc: Exception) -> Exception:
    """The error to raise for `exc`, raised while running `record`'s steps.

    A mistake the error taxonomy knows (a singular matrix in a Dask graph, memory running
    out during a copy) is xpbridge's error for it, as on every other path. Any other error
    of a computation is the input's own (a function in the Dask graph raising ValueError)
    and stays as it is; any other error of a route means the conversion cannot be done
    (:class:`UnsupportedOperationError`, with the plan).
    """
    what = f"converting {record.source} -> {record.target}"
    for name in (record.source, record.target):
        adapter = _adapter_named(name)
        translated = None if adapter is None else adapter.translate_error(exc, what)
        if translated is not None:
            return translated
    if any(step.action == "compute" for step in record.steps):
        return exc
    msg = f"{what} failed: {exc} (plan: {record})"
    return UnsupportedOperationError(msg)


def _adapter_named(name: str) -> Adapter | None:
    try:
        return get_adapter(name)
    except BridgeError:  # a foreign source ("pandas.Series"): no adapter
        return None
