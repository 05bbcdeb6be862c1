"""Lanes: general calls whose routing repeats, routed once per argument types.

A call the generated fast path does not take (arrays of two libraries, ``xb.add(t, a)``;
dtypes the library's own function would not promote as the standard says) goes to the
general path, which binds arguments by name, chooses the backend, lifts, coerces and checks
devices on every call. For a function whose array arguments are plain parameters (no
sequences of arrays, no creation routing), what the general path decides depends only on
the arguments' types and the mixing policy: which library runs the call, which arguments
are lifted into it, which are passed through (Python scalars, ``None`` options). A lane is
that decision, made by the general path's own rules (``_choose``) the first time a
combination of types is seen; later calls with the same types run it directly. The lifts
themselves are the conversion planner's cached decisions (``xpbridge._recipes.lift``), and
the per-call facts the general path checks still are: the mixing policy (a lane with lifts
runs only under ``"promote"``) and the devices of the arrays (a lane hands any call whose
arrays are on different devices back to the general path, which refuses it).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Final

from .._backends import adapter_for_type
from .._config import get_policy
from .._recipes import lift_request, run
from .._watch import ACTIVE
from .general_path import choose, reraise_translated
from .signature import SCALARS

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._backends._base import Adapter
    from .implementations import Implementations
    from .signature import Declaration

__all__ = ["Lanes"]

_UNKNOWN: Final[Any] = object()
#: Combinations of types remembered per function, at most.
_LIMIT: Final = 256


class _Lane:
    """The routing of one combination of argument types.

    ``same`` is the library's own function where it is exact for arrays of identical dtypes
    (torch's ``add`` does not promote as the standard says, but needs no promoting then):
    the generated fast path's choice, for calls that reach it after their lifts.
    """

    __slots__ = ("first", "impl", "lifts", "others", "path", "requests", "same", "target")

    def __init__(
        self,
        target: Adapter,
        impl: Callable[..., Any],
        same: Callable[..., Any] | None,
        natives: tuple[int, ...],
        lifts: tuple[int, ...],
        path: str,
    ) -> None:
        self.target, self.impl, self.same, self.path = target, impl, same, path
        # Where the arrays of the target library are: the first gives the device, the others
        # must be on it; and where those of other libraries are, to lift.
        self.first, self.others, self.lifts = natives[0], natives[1:], lifts
        #: Per device of the call: the conversion request of each lifted argument.
        self.requests: dict[Any, tuple[Any, ...]] = {}


class Lanes:
    """The lanes of one declared function, by the types of its array arguments."""

    def __init__(
        self,
        declaration: Declaration,
        implementations: Implementations,
        general: Callable[[tuple[Any, ...]], Any],
    ) -> None:
        self.declaration = declaration
        self.implementations = implementations
        self.general = general
        params = declaration.params
        eligible = not (declaration.creation or declaration.generic) and all(
            p.role != "arrays" and p.kind is not inspect.Parameter.VAR_POSITIONAL for p in params
        )
        #: Where the array arguments are (None: the function has no lanes).
        self.positions: tuple[int, ...] | None = (
            tuple(i for i, p in enumerate(params) if p.role == "array") if eligible else None
        )
        self.positional = sum(1 for p in params if p.positional)
        self.keywords = tuple(
            (i, p.name, p.default) for i, p in enumerate(params) if not p.positional
        )
        #: The arrays whose dtypes promote, when the library's own function may be used for
        #: identical dtypes (two of them, no options: what the generated fast path checks).
        promoting = [params.index(declaration.fast_params[i]) for i in declaration.promotes]
        self.promoting = (
            tuple(promoting) if len(promoting) == 2 and not declaration.has_optional else None
        )
        self.by_types: dict[tuple[type, ...], _Lane | None] = {}

    def run(self, values: tuple[Any, ...]) -> Any:
        """Run the function on arguments given in signature order: by their lane, or by the
        general path (which also explains every refusal)."""
        positions = self.positions
        if not positions:
            return self.general(values)
        if len(positions) == 2:
            types: tuple[type, ...] = (
                values[positions[0]].__class__,
                values[positions[1]].__class__,
            )
        else:
            types = tuple([values[i].__class__ for i in positions])
        lane = self.by_types.get(types, _UNKNOWN)
        if lane is _UNKNOWN:
            lane = self._lane(types)
        if lane is None:
            return self.general(values)
        target = lane.target
        device = target.device(values[lane.first])
        for i in lane.others:
            if target.device(values[i]) != device:
                return self.general(values)  # arrays on two devices: refused there
        args = list(values)
        if lane.lifts:
            if get_policy() != "promote":
                return self.general(values)  # mixing refused there
            lifts = lane.requests.get(device)
            if lifts is None:
                lifts = lane.requests[device] = tuple(
                    (i, lift_request(values[i].__class__, target, device, lane.path))
                    for i in lane.lifts
                )
            for i, request in lifts:
                x = values[i]
                if ACTIVE[0]:  # an open guard or audit sees every lift
                    args[i] = run(request, x)
                    continue
                try:
                    args[i] = request.recipes[request.traits(x)].run(x)
                except Exception:  # noqa: BLE001 - not decided yet, or a route refused
                    args[i] = run(request, x)
        impl = lane.impl
        if lane.same is not None:
            a, b = self.promoting  # type: ignore[misc]  # set whenever same is
            if args[a].dtype is args[b].dtype:
                impl = lane.same
        try:
            if self.keywords:
                kwargs = {
                    name: args[i] for i, name, default in self.keywords if args[i] is not default
                }
                return impl(*args[: self.positional], **kwargs)
            return impl(*args)
        except Exception as exc:
            reraise_translated(exc, target, lane.path)
            raise

    def _lane(self, types: tuple[type, ...]) -> _Lane | None:
        """Route a combination of types as the general path would; None: it cannot be laned
        (unknown objects to coerce, no array at all, mixing refused by the policy)."""
        declaration = self.declaration
        params = declaration.params
        assert self.positions is not None
        owners: dict[str, Adapter] = {}
        found: list[tuple[int, Adapter]] = []
        for i, cls in zip(self.positions, types, strict=True):
            owner = adapter_for_type(cls)
            if owner is not None:
                owners[owner.name] = owner
                found.append((i, owner))
            elif not (
                (cls in SCALARS and params[i].scalar_ok)
                or (cls is type(None) and not params[i].required)
            ):
                return self._remember(types, None)  # coerced by the general path each time
        if not owners or (get_policy() != "promote" and len(owners) > 1):
            return self._remember(types, None)
        target = choose(declaration.path, owners)
        natives = tuple(i for i, owner in found if owner is target)
        lifts = tuple(i for i, owner in found if owner is not target)
        if not natives:
            return self._remember(types, None)
        impl = self.implementations.get(target)
        same = None
        if self.promoting is not None and all(
            types[self.positions.index(i)] is not type(None)
            and adapter_for_type(types[self.positions.index(i)]) is not None
            for i in self.promoting
        ):
            native = target.fast_implementation(declaration.backend_path)
            same = native or self.implementations.unpromoted(target)
        lane = _Lane(target, impl, same, natives, lifts, declaration.path)
        return self._remember(types, lane)

    def _remember(self, types: tuple[type, ...], lane: _Lane | None) -> _Lane | None:
        if len(self.by_types) >= _LIMIT:
            self.by_types.clear()
        self.by_types[types] = lane
        return lane
