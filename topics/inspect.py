"""The old name of :mod:`topics.explore` (tables, figures, the topic map), kept so that
``from topics import inspect`` and ``import topics.inspect`` go on working.

New code imports :mod:`topics.explore`, whose name does not shadow the standard
library's ``inspect``.
"""

from __future__ import annotations

from .explore import *  # noqa: F403
from .explore import __all__  # noqa: F401
from .explore.tables import _sweep_reason, _trends  # noqa: F401  (topics.report, tests)
from .explore.tagged import _model, _model_name, _parse_dates, _tagged  # noqa: F401
from .explore.topicmap import _js_distances, _pcoa  # noqa: F401
