"""Dask: tagging on a cluster (``topics tag --dask``) and training's parallel fits (``topics train --dask``).

Needs the ``dask`` extra (``dask[distributed]``). Tagging runs the plan of
:mod:`topics.partition` on the cluster: each worker loads the model once from the bundle
folder, reads its parts of the input, tags them and writes its own part files; the client
only plans and collects metadata. The workers must therefore reach the input files, the
bundle and the output folder at the same paths as the client (a shared file system).
"""

from __future__ import annotations

from contextlib import contextmanager

from .partition import TagStats
from .partition import tag_files as _tag_files

__all__ = ["dask_client", "joblib_backend", "tag_files"]


@contextmanager
def dask_client(address: str, n_workers: int | None = None):
    """A ``dask.distributed.Client`` for ``address``, or a fresh ``LocalCluster`` for ``"local"``."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - exercised only without the extra
        from .extras import install_hint

        raise ImportError(f"Dask support needs the dask extra: {install_hint('dask')}") from None
    if address == "local":
        with (
            LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
            Client(cluster) as client,
        ):
            yield client
    else:
        with Client(address) as client:
            yield client


class _Cluster:
    """The executor interface of :func:`topics.partition.tag_files` over a Dask client."""

    def __init__(self, client) -> None:
        self.client = client
        threads = client.nthreads()
        self.workers = max(1, sum(threads.values()))

    def submit(self, fn, *args):
        return self.client.submit(fn, *args, pure=False)


def tag_files(client, corpus, model=None, **options) -> TagStats:
    """:func:`topics.partition.tag_files` with the parts read, tagged and written by the
    workers of ``client`` (the same bytes as locally)."""
    return _tag_files(corpus, model, executor=_Cluster(client), **options)


@contextmanager
def joblib_backend(client):
    """Run joblib's parallel loops (the classifier's per-theme fits and cross-validation
    folds) on the cluster of ``client`` for the duration of the block."""
    import joblib

    with joblib.parallel_config(backend="dask", wait_for_workers_timeout=60):
        yield client
