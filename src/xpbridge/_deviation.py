"""One known deviation: where a backend cannot give the standard's answer, and why.

Adapters declare theirs (``Adapter.deviations``); ``xpbridge._deviations`` collects them.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

__all__ = ["Deviation"]


class Deviation(NamedTuple):
    """One thing a backend does differently from the standard (or cannot do).

    A reason is a clause without a final period (the support table and the errors end the
    sentence). ``function`` is a declared path (``"linalg.solve"``) or ``"*"`` for every
    function.
    """

    backend: str
    function: str
    reason: str
    #: The dtypes concerned; empty means every dtype.
    dtypes: tuple[str, ...] = ()
    #: "unsupported": xpbridge raises a clear error. "differs": the result differs from
    #: NumPy's (values or dtype) in a documented way.
    kind: Literal["unsupported", "differs"] = "unsupported"
    #: Which calls deviate when only some do (``"special cases"``: the standard's
    #: special-case values; ``"array of counts"``...); empty: every call. A lookup finds
    #: such an entry only when it asks for that case.
    case: str = ""

    def applies(
        self, backend: str, function: str, dtype: str | None = None, case: str = ""
    ) -> bool:
        return (
            self.backend == backend
            and self.function in {"*", function}
            and (not self.dtypes or dtype is None or dtype in self.dtypes)
            and self.case in {"", case}
        )
