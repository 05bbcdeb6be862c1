"""``python -m xpbridge``: the environment report and demo (see ``xpbridge._report``)."""

from __future__ import annotations

import sys

from ._report import main

sys.exit(main())
