"""Interleaved timing: compared statements take turns, so drift and noise hit them alike.

Each *round* times every statement once, in an order rotated from round to round; a sample
is the mean of ``number`` back-to-back calls (``timeit``, garbage collector off). The
figures reported are medians over rounds. An overhead (xb minus direct) is the median of
the per-round differences, which cancels most of the drift a shared machine has.

Two clocks: ``"cpu"`` (this process's CPU time, ``time.process_time``) leaves out the time
other processes hold the core, which on a busy 2-core machine is most of the noise; it
suits single-threaded work (dispatch, torch pinned to one thread). ``"wall"``
(``time.perf_counter``) is for work that waits on other threads or memory (conversions,
JAX's asynchronous runtime).
"""

from __future__ import annotations

import statistics
import time
import timeit
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Timings", "compare"]


@dataclass(frozen=True)
class Timings:
    """Seconds per call of each statement, one sample per round."""

    samples: dict[str, list[float]]
    number: int

    def median(self, name: str) -> float:
        return statistics.median(self.samples[name])

    def differences(self, name: str, base: str) -> list[float]:
        return [a - b for a, b in zip(self.samples[name], self.samples[base], strict=True)]

    def overhead(self, name: str, base: str) -> float:
        """Median over rounds of ``name - base`` (seconds per call)."""
        return statistics.median(self.differences(name, base))

    def spread(self, name: str, base: str) -> float:
        """Half the interquartile range of the per-round differences: the noise of `overhead`."""
        q1, _, q3 = statistics.quantiles(self.differences(name, base), n=4)
        return (q3 - q1) / 2

    def ratio(self, name: str, base: str) -> float:
        return self.median(name) / self.median(base)


def compare(
    statements: Mapping[str, str],
    namespace: dict[str, Any],
    *,
    rounds: int,
    sample_s: float = 2e-3,
    budget_s: float | None = None,
    min_rounds: int = 5,
    clock: str = "wall",
) -> Timings:
    """Time each statement (evaluated in `namespace`) in interleaved rounds.

    Each sample follows one untimed call of the same statement. The number of calls per
    sample is set so the first statement's sample lasts about
    `sample_s`; with `budget_s`, rounds are cut so the whole comparison takes about that
    long (never below `min_rounds`). Every statement runs a few times first, untimed, so
    caches and lazily built tables are warm.
    """
    timer = time.process_time if clock == "cpu" else time.perf_counter
    timers = {
        name: timeit.Timer(stmt, globals=namespace, timer=timer)
        for name, stmt in statements.items()
    }
    for timer in timers.values():  # warm-up: fill caches, resolve lazy tables, fault pages
        timer.timeit(3)
    first = next(iter(timers.values()))
    one_call = _one_call(first)
    number = max(1, round(sample_s / one_call)) if one_call > 0 else 1000
    if budget_s is not None:
        round_s = sum(_one_call(t) for t in timers.values()) * number
        rounds = max(min_rounds, min(rounds, int(budget_s / max(round_s, 1e-9))))
    names = list(timers)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            # One untimed call first: the statement before it may have left the caches cold
            # (a 400 MB copy does), which would charge this one for the other's work.
            timers[name].timeit(1)
            samples[name].append(timers[name].timeit(number) / number)
    return Timings(samples, number)


def _one_call(timer: timeit.Timer) -> float:
    """Seconds one call takes, roughly (best of a few short runs)."""
    start = time.perf_counter()
    count = 1
    while True:
        elapsed = timer.timeit(count)
        if elapsed > 2e-4 or time.perf_counter() - start > 0.5:
            break
        count *= 10
    return elapsed / count
