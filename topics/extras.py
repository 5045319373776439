"""What to install for the optional parts of the toolkit, said in a way that works.

The toolkit is imported as ``topics`` but distributed as ``topics-news``
(:data:`DISTRIBUTION`): an unrelated package named ``topics`` is on the public index, so
``pip install "topics[serve]"`` would install the wrong thing. Hints name the
distribution and, for a checkout, the local path. :data:`EXTRAS` is kept equal to
pyproject.toml's optional dependencies by a test.
"""

from __future__ import annotations

__all__ = ["DISTRIBUTION", "EXTRAS", "install_hint"]

DISTRIBUTION = "topics-news"  # pyproject.toml's [project] name

EXTRAS = {
    "serve": ("fastapi>=0.110", "uvicorn>=0.29"),
    "dask": ("dask[distributed]>=2024.1",),
    "inspect": ("pandas>=2.1", "matplotlib>=3.8", "pyLDAvis>=3.4"),
}


def install_hint(extra: str) -> str:
    """The command that installs ``extra``: ``pip install "topics-news[serve]"`` (and from a checkout)."""
    packages = ", ".join(EXTRAS[extra])
    return f'pip install "{DISTRIBUTION}[{extra}]" (from a checkout: pip install ".[{extra}]"; it adds {packages})'
