"""Dask: tagging on a cluster (``topics tag --dask``) and training's parallel fits (``topics train --dask``).

Needs the ``dask`` extra (``dask[distributed]``). The model is sent to every
worker once; batches of articles stream to the cluster with a bounded number in
flight, so memory stays flat on both sides, and results come back in input order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from .tagger import Tagger, TagResult, _tag_batch

__all__ = ["dask_client", "joblib_backend", "tag"]


@contextmanager
def dask_client(address: str, n_workers: int | None = None):
    """A ``dask.distributed.Client`` for ``address``, or a fresh ``LocalCluster`` for ``"local"``."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - exercised only without the extra
        from .extras import install_hint

        raise ImportError(f"Dask support needs the dask extra: {install_hint('dask')}") from None
    if address == "local":
        with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            yield client
    else:
        with Client(address) as client:
            yield client


def tag(tagger: Tagger, articles: Iterable, client, in_flight: int | None = None) -> Iterator[TagResult]:
    """Like :meth:`Tagger.tag`, with the batches tagged on the cluster of ``client``.

    Results come back in input order and are identical to the local ones.
    """
    [remote] = client.scatter([tagger], broadcast=True)
    limit = in_flight or 2 * max(1, len(client.scheduler_info().get("workers", {})))
    pending: deque = deque()
    for batch in tagger.batches(articles):
        pending.append(client.submit(_tag_batch, remote, batch, pure=False))
        if len(pending) >= limit:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


@contextmanager
def joblib_backend(client):
    """Run joblib's parallel loops (the classifier's per-theme fits and cross-validation
    folds) on the cluster of ``client`` for the duration of the block."""
    import joblib

    with joblib.parallel_config(backend="dask", wait_for_workers_timeout=60):
        yield client
