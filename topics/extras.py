"""What to install for the optional parts of the toolkit, said in a way that works.

``pip install "topics[serve]"`` would fetch an unrelated package of the same name from the
public index, so hints name the packages themselves (kept equal to pyproject.toml's
optional dependencies by a test).
"""

from __future__ import annotations

__all__ = ["EXTRAS", "install_hint"]

EXTRAS = {
    "serve": ("fastapi>=0.110", "uvicorn>=0.29"),
    "dask": ("dask[distributed]>=2024.1",),
    "inspect": ("pandas>=2.1", "matplotlib>=3.8", "pyLDAvis>=3.4"),
}


def install_hint(extra: str) -> str:
    """The command that installs ``extra``, e.g. ``pip install "fastapi>=0.110" "uvicorn>=0.29"``."""
    packages = " ".join(f'"{p}"' for p in EXTRAS[extra])
    return f'pip install {packages} (the "{extra}" extra; from a checkout of topics: pip install ".[{extra}]")'
