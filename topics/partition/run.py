"""The coordinator of a tagging run: :func:`tag_files` plans the parts, hands them to worker
processes (or a Dask cluster, or this process) and assembles what they wrote (see
:mod:`topics.partition`)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..corpus import ChainCorpus, Corpus, CorpusError, ReadReport, UniqueIds
from .output import Folder, Stream, replay, run_manifest, work_dir
from .plan import number_lines, plan_parts
from .worker import Job, ModelRef, start_worker, tag_part

__all__ = ["TagStats", "tag_files"]


@dataclass
class TagStats:
    """What :func:`tag_files` did.

    Attributes
    ----------
    articles, parts, workers : int
    seconds : float
        Wall time.
    startup : float
        Wall seconds until every worker had its model loaded (from the start of the pool).
    coordinator_cpu, worker_cpu : float
        CPU seconds of this process during the run, and of the workers tagging (loading excluded).
    load : list of float
        Seconds each worker took to load the model.
    files : list of str
        The part files, with ``output_dir``.
    """

    articles: int = 0
    parts: int = 0
    workers: int = 1
    seconds: float = 0.0
    startup: float = 0.0
    coordinator_cpu: float = 0.0
    worker_cpu: float = 0.0
    load: list[float] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


# -- executors --------------------------------------------------------------------------------
class _Deferred:
    """A future computed in this process when its result is asked for (``--jobs 1``)."""

    def __init__(self, fn: Callable, args: tuple) -> None:
        self._call, self._done, self._value = (fn, args), False, None

    def result(self):
        if not self._done:
            fn, args = self._call
            self._value, self._done = fn(*args), True
        return self._value


class _Inline:
    workers = 1

    def submit(self, fn: Callable, *args) -> _Deferred:
        return _Deferred(fn, args)


@contextmanager
def _local_pool(workers: int, model: ModelRef, options: dict):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "forkserver" in multiprocessing.get_all_start_methods():
        # Workers fork from a server that imported the toolkit once: start-up is the model load.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["topics.partition", "topics.model", "topics.tagger"])
    else:  # Windows, macOS before forkserver
        context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=start_worker, initargs=(model, options, os.getpid())
    )
    pool.workers = workers
    try:
        yield pool
    except BaseException:  # interrupted, or a bad record under on_error="fail": stop now, not after the parts
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


# -- the coordinator's side -------------------------------------------------------------------
def tag_files(
    corpus: Corpus | ChainCorpus,
    model: str | os.PathLike | None = None,
    *,
    artifacts: str | os.PathLike | None = None,
    key: str | bytes | None = None,
    require_signature: bool = False,
    jobs: int = 2,
    executor=None,
    out: BinaryIO | None = None,
    output_dir: str | os.PathLike | None = None,
    output_format: str = "jsonl",
    explain: bool = False,
    top_topics: int = 3,
    batch_size: int = 512,
    part_bytes: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> TagStats:
    """Tag the files of ``corpus`` in parts, each read, tagged and written by a worker.

    Parameters
    ----------
    corpus : Corpus or ChainCorpus
        Files and folders (standard input is tagged as it arrives instead: ``Tagger.tag(stream=True)``).
        Its :attr:`report` (of each part of a chain) is the whole pass's afterwards, and its
        ``on_reject`` callback gets every skipped record, in input order.
    model, artifacts, key, require_signature
        The bundle, as for :func:`topics.model.load`; verified here, loaded by the workers.
    jobs : int
        Worker processes (-1: all cores); 1 tags in this process. Ignored with ``executor``.
    executor : optional
        Runs the parts elsewhere: an object with ``workers`` and ``submit(fn, *args)``
        returning a future (see :func:`topics.distributed.tag_files`).
    out : binary file, optional
        Where the output goes, in input order, as parts finish (a text file is written
        through its ``buffer``). Exactly one of ``out`` and ``output_dir``.
    output_dir : path, optional
        Leave the parts there as ``part-00000.jsonl``... (``.txt`` for tables) with a
        ``manifest.json``. It must be empty or absent; it is complete when the manifest is there.
    output_format : {"jsonl", "table"}
    explain, top_topics, batch_size
        As for ``topics tag`` (``batch_size`` also sets which articles ``on_error="fail"``
        leaves in the output: those of the batches complete before the bad record, as in one process).
    part_bytes : int, optional
        See :func:`plan_parts`.
    progress : callable, optional
        Called with the number of articles of each part as it reaches the output.

    Returns
    -------
    TagStats

    Raises
    ------
    CorpusError
        With ``on_error="fail"``, the first bad record in input order (after the output of
        the articles before it, as one process would have written it).
    """
    from ..bundle import pin_bundle

    if (out is None) == (output_dir is None):
        raise ValueError("give exactly one of out and output_dir")
    started, cpu, wall = time.perf_counter(), time.process_time(), time.time()
    corpora = list(corpus.corpora) if isinstance(corpus, ChainCorpus) else [corpus]
    if any(isinstance(c, ChainCorpus) for c in corpora) or any(c._stdin for c in corpora):
        raise ValueError(
            "tag_files reads files and folders: flatten nested chains; tag standard input with Tagger.tag(stream=True)"
        )
    path, pin = pin_bundle(model, artifacts, key=key, require_signature=require_signature)
    ref = ModelRef(str(path), pin)
    options = {"top_topics": top_topics, "batch_size": batch_size}
    workers = (os.cpu_count() or 1 if jobs < 0 else jobs) if executor is None else executor.workers
    parts = plan_parts(corpora, workers, part_bytes)
    stats = TagStats(parts=len(parts), workers=workers)
    suffix = ".jsonl" if output_format == "jsonl" else ".txt"
    with ExitStack() as stack:
        if executor is None:
            executor = _Inline() if workers == 1 else stack.enter_context(_local_pool(workers, ref, options))
        work = work_dir(stack, output_dir)
        parts = number_lines(executor, parts)
        jobs_ = [
            Job(
                p,
                corpora[p.source].options,
                corpora[p.source]._id_format,
                ref,
                options,
                output_format,
                explain,
                str(work / f"part-{p.index:05d}{suffix}"),
                corpora[p.source].on_reject is not None,
            )
            for p in parts
        ]
        futures = [executor.submit(tag_part, job) for job in jobs_]
        fail = any(c.on_error == "fail" for c in corpora)
        sink = Folder(Path(output_dir), work) if output_dir is not None else Stream(out, batch_size if fail else None)
        unique = [UniqueIds() for _ in corpora]
        chained = UniqueIds() if isinstance(corpus, ChainCorpus) else None
        reports = [ReadReport() for _ in corpora]
        try:
            for job, future in zip(jobs_, futures):
                result = future.result()
                source = job.part.source
                stats.worker_cpu += result.cpu
                stats.startup = max(stats.startup, result.ready - wall)
                if result.load:
                    stats.load.append(result.load)
                if result.rejects:
                    replay(result.rejects, corpora[source].on_reject)
                reports[source] += ReadReport(result.n_read, result.n_skipped, result.problems, result.n_repaired)
                renamed = {}
                for i, old in enumerate(result.ids):
                    new = unique[source](old)
                    new = chained(new) if chained is not None else new
                    if new != old:
                        renamed[i] = new
                if result.error:  # one process writes the batches complete before the bad record
                    sink.add(job, result, renamed, failed=True)
                    raise CorpusError(result.error)
                sink.add(job, result, renamed)
                stats.articles += len(result.ids)
                if progress is not None:
                    progress(len(result.ids))
            stats.files = sink.close(run_manifest(corpora, ref, stats, reports, output_format))
        finally:
            for c, report in zip(corpora, reports):
                report.on_reject = c.on_reject
                c.report = report
    stats.seconds = time.perf_counter() - started
    stats.coordinator_cpu = time.process_time() - cpu
    return stats
