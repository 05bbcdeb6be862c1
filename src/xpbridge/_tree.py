"""Containers of arrays: walk them leaf by leaf, keep their types, name the path of a leaf.

A container is a mapping (``dict``, ``OrderedDict``... its type, key order and attributes
kept: a ``state_dict`` stays an ``OrderedDict`` with its ``_metadata``), a list, a tuple, a
namedtuple or a dataclass instance, nested to any depth. Its *leaves* are the arrays of the
libraries xpbridge knows and data frames; everything else (``None``, strings, Python and
NumPy numbers, sets, other objects) is a value, kept as it is (the same object). Containers
are always rebuilt, so that changing the result never changes the input: a list of numbers
inside a container (an optimizer's ``betas``) stays an equal list, not an array.

At the top level a list or tuple that holds no array is array data, as it always was (a
nested list of numbers is an array); one that holds arrays is a container, never stacked:
stacking is ``xb.stack``/``xb.asarray``.

A leaf that appears twice (tied weights) is converted once, and both places get the same
result, as ``copy.deepcopy`` keeps such sharing.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import OrderedDict
from collections.abc import Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from ._backends import adapter_for_type
from ._errors import BridgeError
from ._frames import is_frame_type

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = [
    "is_container_type",
    "is_tree",
    "leaves",
    "map_if_tree",
    "map_tree",
    "with_path",
]

# What a type is, for the walk (cached per type: arrays of a library exist only once it is
# imported, so the answer never changes).
_LEAF, _VALUE, _DICT, _LIST, _TUPLE, _NAMEDTUPLE, _MAPPING, _SEQUENCE, _DATACLASS = range(1, 10)
_KINDS: dict[type, int] = {}
_MISSING: Final = object()
#: Numbers: values inside a container, array data at the top level.
_NUMBERS: Final = frozenset({bool, int, float, complex})


class _TreeError(BridgeError, ValueError):
    pass


def _classify(cls: type) -> int:
    if issubclass(cls, np.generic) or cls in _NUMBERS:
        return _VALUE  # a NumPy scalar is a number here, not an array
    if adapter_for_type(cls) is not None or is_frame_type(cls):
        return _LEAF
    if cls is dict:
        return _DICT
    if cls is list:
        return _LIST
    if cls is tuple:
        return _TUPLE
    if issubclass(cls, tuple) and hasattr(cls, "_fields") and hasattr(cls, "_make"):
        return _NAMEDTUPLE
    if issubclass(cls, Mapping):
        return _MAPPING
    if issubclass(cls, (list, tuple)):
        return _SEQUENCE
    if dataclasses.is_dataclass(cls):
        return _DATACLASS
    return _VALUE


def _kind(cls: type) -> int:
    try:
        return _KINDS[cls]
    except KeyError:
        kind = _KINDS[cls] = _classify(cls)
        return kind


_CONTAINERS: Final = frozenset({_DICT, _LIST, _TUPLE, _NAMEDTUPLE, _MAPPING, _SEQUENCE, _DATACLASS})


def is_container_type(cls: type) -> bool:
    """Whether instances of `cls` may be containers (a list or tuple is one only if it
    holds an array: :func:`is_tree` looks)."""
    return _kind(cls) in _CONTAINERS


def is_tree(x: Any) -> bool:
    """Whether `x` (no array itself) is a container to walk: a mapping, namedtuple or
    dataclass instance, or a list or tuple that holds an array or frame somewhere."""
    kind = _kind(type(x))
    if kind in (_MAPPING, _DICT, _NAMEDTUPLE, _DATACLASS):
        return True
    return kind in (_LIST, _TUPLE, _SEQUENCE) and _holds_leaves(x)


def _holds_leaves(x: Any) -> bool:
    if x and (_KINDS.get(x[0].__class__) or _kind(x[0].__class__)) == _LEAF:
        return True  # a batch (X, y): the first item decides
    if set(map(type, x)) <= _NUMBERS:  # a row of numbers, at C speed
        return False
    for value in x:
        kind = _kind(type(value))
        if kind == _LEAF:
            return True
        if kind in (_LIST, _TUPLE, _SEQUENCE, _NAMEDTUPLE) and _holds_leaves(value):
            return True
        if kind in (_DICT, _MAPPING) and _holds_leaves(list(value.values())):
            return True
        if kind == _DATACLASS and _holds_leaves(_field_values(value)):
            return True
    return False


def _field_values(x: Any) -> list[Any]:
    return [getattr(x, f.name) for f in dataclasses.fields(x)]


# ---------------------------------------------------------------------- paths in errors


class _AtLeaf(Exception):  # noqa: N818 - a carrier, never seen outside this module
    """An error raised at a leaf, travelling up with the keys of its path."""

    def __init__(self, error: BaseException, key: str) -> None:
        super().__init__()
        self.error = error
        self.keys = [key]


def _key(kind: int, key: Any) -> str:
    if kind in (_NAMEDTUPLE, _DATACLASS):
        return f".{key}"
    return f"[{key!r}]"


def with_path(error: BaseException, path: str) -> BaseException:
    """`error` as the same class, its message prefixed with the leaf's `path`
    (``['fc.weight']``); where the class cannot be made from a message, `error` itself
    with the path as a note."""
    args = error.args
    if len(args) == 1 and isinstance(args[0], str):
        try:
            new = type(error)(f"at {path}: {args[0]}")
        except Exception:  # noqa: BLE001 - a class with another constructor: a note instead
            new = None
        if new is not None:
            new.__cause__ = error.__cause__
            new.__suppress_context__ = True
            return new.with_traceback(error.__traceback__)
    error.add_note(f"(at {path})")
    return error


# ---------------------------------------------------------------------- the walk


def map_tree(fn: Callable[[Any], Any], tree: Any) -> Any:
    """`tree` rebuilt with `fn` applied to every leaf (arrays and frames), its containers'
    types kept and its values kept as they are. An error at a leaf is raised again as the
    same class, naming the leaf's path."""
    if tree.__class__ in (tuple, list):
        flat = _flat(fn, tree)
        if flat is not None:
            return flat
    return _walk(fn, tree)


def map_if_tree(fn: Callable[[Any], Any], x: Any) -> Any:
    """:func:`map_tree` of `x` if it is a container (:func:`is_tree`), else
    ``NotImplemented``: one look at `x` for callers that would ask both."""
    if x.__class__ in (tuple, list):
        flat = _flat(fn, x)  # a batch (X, y): the common case, in one pass
        if flat is not None:
            return flat
    if not is_tree(x):
        return NotImplemented
    return _walk(fn, x)


def _walk(fn: Callable[[Any], Any], tree: Any) -> Any:
    walk = _Walk(fn)
    try:
        return walk(tree)
    except _AtLeaf as failure:
        path = "".join(reversed(failure.keys))
        raise with_path(failure.error, path) from None


def _flat(fn: Callable[[Any], Any], tree: Any) -> Any:
    """A list or tuple of distinct leaves (a batch ``(X, y)``) mapped directly; None for
    any other."""
    if not tree:
        return None  # () and [] at the top are array data
    kinds = _KINDS
    for value in tree:
        if kinds.get(value.__class__) != _LEAF:
            return None
    n = len(tree)
    if (tree[0] is tree[1]) if n == 2 else (n > 2 and len(set(map(id, tree))) < n):
        return None  # a leaf twice: the walk converts it once
    items = []
    i = 0
    try:
        for i, value in enumerate(tree):  # noqa: B007 - i names the leaf of an error
            items.append(fn(value))
    except Exception as exc:  # noqa: BLE001 - any leaf's error, given its path
        raise with_path(exc, f"[{i}]") from None
    return items if tree.__class__ is list else tuple(items)


class _Walk:
    __slots__ = ("active", "fn", "memo")

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        # id(leaf) -> result: the tree holds every leaf while it is walked, so ids stay valid.
        self.memo: dict[int, Any] = {}
        self.active: set[int] = set()  # the containers being walked: a cycle is an error

    def __call__(self, node: Any) -> Any:
        kind = _kind(type(node))
        if kind == _LEAF:
            return self.leaf(node)
        if kind == _VALUE:
            return node
        if id(node) in self.active:
            msg = "this container contains itself, so it has no end to convert"
            raise _TreeError(msg)
        self.active.add(id(node))
        try:
            return self._container(node, kind)
        finally:
            self.active.discard(id(node))

    def leaf(self, node: Any) -> Any:
        result = self.memo.get(id(node), _MISSING)
        if result is _MISSING:
            result = self.memo[id(node)] = self.fn(node)
        return result

    def _children(self, pairs: Any, kind: int) -> list[Any]:
        """The walked values of (key, value) `pairs` of a container of `kind`; the loop
        most leaves take, so leaves are handled inline."""
        kinds, memo, fn = _KINDS, self.memo, self.fn
        out: list[Any] = []
        append = out.append
        for key, value in pairs:
            try:
                child = kinds.get(value.__class__)
                if child == _LEAF:
                    ident = id(value)
                    result = memo.get(ident, _MISSING)
                    if result is _MISSING:
                        result = memo[ident] = fn(value)
                elif child == _VALUE:
                    result = value
                else:  # a container, or a type not seen yet
                    result = self(value)
            except _AtLeaf as failure:
                failure.keys.append(_key(kind, key))
                raise
            except Exception as exc:  # noqa: BLE001 - any leaf's error, given its path
                raise _AtLeaf(exc, _key(kind, key)) from None
            append(result)
        return out

    def _container(self, node: Any, kind: int) -> Any:
        if kind == _DICT:
            return dict(zip(node, self._children(node.items(), kind), strict=True))
        if kind in (_LIST, _TUPLE):
            items = self._children(enumerate(node), kind)
            return items if kind == _LIST else tuple(items)
        if kind == _NAMEDTUPLE:
            return node._make(self._children(zip(node._fields, node, strict=True), kind))
        if kind == _DATACLASS:
            names = [f.name for f in dataclasses.fields(node)]
            values = self._children(((n, getattr(node, n)) for n in names), kind)
            new = copy.copy(node)  # no __init__ or __post_init__ run again
            for name, value in zip(names, values, strict=True):
                object.__setattr__(new, name, value)  # frozen dataclasses too
            return new
        if kind == _MAPPING:
            keys = list(node)
            values = self._children(node.items(), kind)
            return _rebuild_mapping(node, keys, values)
        return _rebuild_sequence(node, self._children(enumerate(node), kind))


def _rebuild_mapping(node: Any, keys: list[Any], values: list[Any]) -> Any:
    """A mapping of `node`'s type and attributes (an OrderedDict's ``_metadata``, a
    defaultdict's factory) with `values` for its `keys`, in their order."""
    if type(node) is OrderedDict:  # a state_dict: rebuilt directly, its attributes copied
        ordered = OrderedDict(zip(keys, values, strict=True))
        ordered.__dict__.update(node.__dict__)
        return ordered
    if isinstance(node, MutableMapping):
        new = copy.copy(node)
        for key, value in zip(keys, values, strict=True):
            new[key] = value
        return new
    try:
        return type(node)(dict(zip(keys, values, strict=True)))
    except TypeError as exc:
        msg = (
            f"cannot rebuild a {type(node).__qualname__} with converted values ({exc}); "
            "convert a dict of its items instead"
        )
        raise _TreeError(msg) from exc


def _rebuild_sequence(node: Any, items: list[Any]) -> Any:
    """A list or tuple subclass (torch.Size, a structseq...) of `node`'s type with `items`."""
    if isinstance(node, list):
        new = copy.copy(node)
        new[:] = items
        return new
    try:
        return type(node)(items)
    except TypeError as exc:
        msg = (
            f"cannot rebuild a {type(node).__qualname__} with converted items ({exc}); "
            "convert a tuple of its items instead"
        )
        raise _TreeError(msg) from exc


def leaves(tree: Any) -> Iterator[tuple[str, Any]]:
    """Every leaf of `tree` with its path (``['fc.weight']``, ``[0].x``), in order; a leaf
    reached twice is listed twice."""
    yield from _leaves(tree, "", set())


def _leaves(node: Any, path: str, active: set[int]) -> Iterator[tuple[str, Any]]:
    kind = _kind(type(node))
    if kind == _LEAF:
        yield path, node
        return
    if kind == _VALUE:
        return
    if id(node) in active:
        msg = f"this container contains itself (at {path or 'the top'}), so it has no end"
        raise _TreeError(msg)
    active.add(id(node))
    if kind in (_DICT, _MAPPING):
        items: Any = node.items()
    elif kind == _NAMEDTUPLE:
        items = zip(node._fields, node, strict=True)
    elif kind == _DATACLASS:
        items = ((f.name, getattr(node, f.name)) for f in dataclasses.fields(node))
    else:
        items = enumerate(node)
    for key, value in items:
        yield from _leaves(value, path + _key(kind, key), active)
    active.discard(id(node))
