"""Routing one public function to the library that owns its array arguments.

Declaring a function
--------------------
Public functions are declared once, as stubs in ``xpbridge._api``, with the signature of
the array API standard (or of NumPy, for the NumPy spellings)::

    @array_function(promotes=("x1", "x2"))
    def add(x1: ArrayT, x2: ArrayT | complex, /) -> ArrayT:
        '''Add ``x1`` and ``x2`` element-wise.'''

The annotations say which parameters carry arrays, read as text:

* ``ArrayT`` / ``Array``: an array; with ``complex``/``float``/``int``/``bool`` (``Scalar``)
  beside it, a Python scalar may stand there and is passed through weakly typed;
* ``Sequence[ArrayT]`` or ``*arrays: ArrayT``: several arrays;
* ``DTypeLike`` / ``DeviceLike``: a dtype or device, translated to the backend's own objects;
* a ``backend`` or ``like`` parameter: the creation-function routing of xpbridge;
* an ``xp`` parameter: the stub's body is a generic implementation against that namespace.

Stubs without a body map to the backend's standard namespace function of the same path
(array-api-compat's, or an adapter override).

Calling a function
------------------
Each declaration is compiled (on first use) into a function with exactly the stub's
signature. Its fast path is one type check per array argument, identity checks of
the options against their defaults and one lookup in a per-type table, whose entries are
resolved once per array type (often to the library's own function). Everything else, from
Python scalars to mixed libraries, takes :meth:`Function.call`, which applies the mixing
policy and the device rule and then calls the same per-backend implementation.
``XPBRIDGE_DISPATCH=general`` (or :func:`use_generated`) builds functions without the
generated code, for debugging.

The modules, one job each, in import order
------------------------------------------
* :mod:`.signature`: a stub's parameters and the roles their annotations give them;
* :mod:`.implementations`: the callable of a function for one backend;
* :mod:`.general_path`: choosing the backend, lifting and coercing arguments, errors;
* :mod:`.tables`: per array type, the callables the generated code reads, and their slots;
* :mod:`.registry`: :class:`Function` (all of the above for one stub), :data:`REGISTRY`,
  :func:`array_function`;
* :mod:`.codegen`: the source text of a public function (golden files in
  ``tests/golden/dispatch``);
* :mod:`.public_functions`: :func:`materialize`, and the switch to the general path.
"""

from __future__ import annotations

from .general_path import reraise_translated
from .implementations import provide_generic_namespace
from .public_functions import materialize, use_generated, uses_generated
from .registry import REGISTRY, Function, array_function

__all__ = [
    "REGISTRY",
    "Function",
    "array_function",
    "materialize",
    "provide_generic_namespace",
    "reraise_translated",
    "use_generated",
    "uses_generated",
]
