"""Tagging files in parallel: each worker reads, tags and writes its own part of the input.

A coordinator that reads every article, ships it to a worker, receives its tags and formats
them does serial work per article, which caps the speed-up however many workers there are
(Amdahl). Here the coordinator touches no article:

1. it plans parts: byte ranges of JSONL and lines files cut at line starts (the workers
   first count each range's lines, so that line numbers, default ids and ``file:line``
   messages stay global), groups of a folder's files (of its ``.sgm`` files for
   Reuters-21578), whole CSV and ``.txt`` files (a quoted CSV field may span lines);
2. each worker loads the model once, from the bundle folder the coordinator verified
   (:func:`topics.bundle.pin_bundle`), then reads, tags and writes parts to files of its own;
3. the coordinator takes finished parts in input order: it makes ids unique across parts
   (from the ids the workers send back: the one thing it does per article, a dictionary
   look-up), merges the read reports and replays rejected records, and copies each part to
   the output as soon as it and every part before it are done, or leaves the parts in a
   folder as ``part-00000.jsonl``... with a ``manifest.json``.

The output is byte for byte that of tagging in one process (``topics tag --jobs 1``), skip
reports and ``--on-error fail`` included. The same plan runs on a Dask cluster
(:mod:`topics.distributed`) when the workers reach the input, the bundle and the output
folder at the same paths.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import time
import warnings
from array import array
from collections.abc import Callable, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, NamedTuple

from .corpus import ChainCorpus, Corpus, CorpusError, ReadReport, UniqueIds, file_size, open_binary

__all__ = ["Part", "PartResult", "TagStats", "plan_parts", "tag_files", "tag_part"]

MANIFEST = "manifest.json"
_RANGED = ("jsonl", "lines")  # read line by line, with no record spanning lines: cut at any line start
_MIN_PART_BYTES = 64 << 10
_MAX_PART_BYTES = 64 << 20  # parts reach the output as they finish: not too big
_PARTS_PER_WORKER = 4  # enough to even out parts of unequal cost


class ModelRef(NamedTuple):
    """A verified bundle folder and its manifest's digest, which workers load by."""

    path: str
    pin: str


@dataclass(frozen=True)
class Part:
    """A piece of the input one worker reads: a byte range or some files of one input."""

    index: int
    source: int  # which input (corpus) of the run
    path: str
    format: str
    start: int = 0
    stop: int | None = None
    files: tuple[str, ...] | None = None
    first_line: int = 1


@dataclass(frozen=True)
class _Job:
    """Everything a worker needs for one part (small: sent with each part)."""

    part: Part
    options: dict
    id_format: str
    model: ModelRef
    tagger: dict
    output_format: str
    explain: bool
    out: str
    rejects: bool


@dataclass
class PartResult:
    """What a worker sends back: metadata of the part file it wrote, no tags."""

    index: int
    ids: list[str]
    ends: bytes  # array("q") of each record's end offset in the part file
    n_read: int
    n_skipped: int
    problems: list[str]
    rejects: str | None
    error: str | None  # on_error="fail": the message of the record that stopped the part
    cpu: float  # worker CPU seconds for this part (model loading excluded)
    load: float  # seconds this worker spent loading the model before this part, if it did
    ready: float  # time.time() when this worker had its model
    pid: int


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


# -- planning ---------------------------------------------------------------------------------
def plan_parts(corpora: Sequence[Corpus], workers: int, part_bytes: int | None = None) -> list[Part]:
    """Cut the inputs into parts, in input order (line numbers not yet known: ``first_line`` 1).

    Parameters
    ----------
    corpora : sequence of Corpus
        Files or folders (not standard input).
    workers : int
        About ``4 × workers`` parts are made, so that parts of unequal cost even out.
    part_bytes : int, optional
        Bytes per range of a JSONL or lines file (default: the ranged input over the parts
        wanted, within 64 KiB-64 MiB). Folders are cut into as many groups of files.
    """
    ranged = [c for c in corpora if _ranged(c)]
    total = sum(file_size(_where(c)) for c in ranged)
    wanted = max(1, workers * _PARTS_PER_WORKER)
    if part_bytes is None:
        part_bytes = min(_MAX_PART_BYTES, max(_MIN_PART_BYTES, math.ceil(total / wanted)))
    parts: list[Part] = []
    for source, corpus in enumerate(corpora):
        base = Part(len(parts), source, _where(corpus), corpus.format)
        if _ranged(corpus):
            pieces = [{"start": a, "stop": b} for a, b in _byte_ranges(base.path, part_bytes)]
        elif corpus.limit is None and (files := corpus.files()):
            size = math.ceil(len(files) / wanted)
            pieces = [{"files": tuple(files[i : i + size])} for i in range(0, len(files), size)]
        else:  # CSV, one .txt file, a limited pass: read whole
            pieces = [{}]
        parts += [replace(base, index=len(parts) + i, **piece) for i, piece in enumerate(pieces)]
    return parts


def _where(corpus: Corpus) -> str:
    """The path or URL as given: workers open it, and messages name it so."""
    return corpus.url or str(corpus.path)


def _ranged(corpus: Corpus) -> bool:
    return corpus.format in _RANGED and corpus.limit is None and not corpus._stdin


def _byte_ranges(path: str | os.PathLike, part_bytes: int) -> list[tuple[int, int]]:
    """``[start, stop)`` ranges of about ``part_bytes``, each starting at a line start."""
    size = file_size(path)
    cuts = [0]
    with open_binary(path) as f:
        while (target := cuts[-1] + max(1, part_bytes)) < size:
            f.seek(target - 1)  # a line starts at `target` if the byte before it ends one
            while (chunk := f.read(1 << 16)) and (i := chunk.find(b"\n")) < 0:
                pass
            cut = f.tell() - len(chunk) + i + 1 if chunk else size
            if cut >= size:
                break
            cuts.append(cut)
    return list(zip(cuts, cuts[1:] + [size]))


def count_lines(path: str, start: int, stop: int) -> int:
    """Line ends in ``[start, stop)`` of ``path`` (run by a worker: the coordinator reads no input)."""
    n = 0
    with open_binary(path) as f:
        f.seek(start)
        left = stop - start
        while left > 0 and (chunk := f.read(min(1 << 20, left))):
            n += chunk.count(b"\n")
            left -= len(chunk)
    return n


# -- the worker's side ------------------------------------------------------------------------
_TAGGERS: dict = {}
_LOADED = [0.0, 0.0]  # seconds spent loading a model not yet reported in a PartResult; time.time() when ready


def _tagger(model: ModelRef, options: dict):
    """This process's tagger for ``model``: loaded on first use, from the verified folder."""
    from .model import Model
    from .tagger import Tagger

    key = (model, tuple(sorted(options.items())))
    if key not in _TAGGERS:
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the coordinator has said what there was to say
            loaded = Model.load(model.path, pin=model.pin)
        _TAGGERS.clear()  # one model per worker
        _TAGGERS[key] = Tagger(loaded, **options)
        _LOADED[0] += time.perf_counter() - started
        _LOADED[1] = time.time()
    return _TAGGERS[key]


def _start_worker(model: ModelRef, options: dict) -> None:
    """Initializer of a local pool's processes: load the model before the first part arrives."""
    import signal

    from threadpoolctl import threadpool_limits

    from .workers import exit_with_parent

    exit_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle: it stops the workers
    threadpool_limits(1)  # the processes are the parallelism: no BLAS threads fighting over cores
    _tagger(model, options)


def tag_part(job: _Job) -> PartResult:
    """Read, tag and write one part (in a worker). Reads stop at an ``on_error="fail"``
    problem; what was read before it is tagged, and the message returned."""
    from .tagger import tag_rule

    tagger = _tagger(job.model, job.tagger)
    rule = tag_rule(tagger.model)
    load, _LOADED[0] = _LOADED[0], 0.0
    cpu = time.process_time()
    part = job.part
    rejects = job.out + ".rejects" if job.rejects else None
    ids: list[str] = []
    ends = array("q")
    error = None
    with ExitStack() as stack:
        on_reject = None
        if rejects:
            sink = stack.enter_context(open(rejects, "w", encoding="utf-8"))
            on_reject = lambda reject: sink.write(json.dumps(reject, ensure_ascii=False) + "\n")  # noqa: E731
        corpus = Corpus(part.path, part.format, **job.options, on_reject=on_reject)
        corpus._id_format = job.id_format
        out = stack.enter_context(open(job.out, "wb"))

        def write(batch: list) -> None:
            for result in tagger.tag(batch):
                out.write(result.format(job.output_format, job.explain, rule).encode("utf-8"))
                ends.append(out.tell())
                ids.append(result.id)

        articles = corpus.read_part(start=part.start, stop=part.stop, first_line=part.first_line, files=part.files)
        batch: list = []
        while True:
            try:
                article = next(articles)
            except StopIteration:
                break
            except CorpusError as exc:
                error = str(exc)
                break
            batch.append(article)
            if len(batch) == tagger.batch_size:
                write(batch)
                batch = []
        if batch:
            write(batch)
    report = corpus.report
    return PartResult(part.index, ids, ends.tobytes(), report.n_read, report.n_skipped, report.problems,
                      rejects, error, time.process_time() - cpu, load, _LOADED[1], os.getpid())


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
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(model, options))
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
    from .bundle import pin_bundle

    if (out is None) == (output_dir is None):
        raise ValueError("give exactly one of out and output_dir")
    started, cpu, wall = time.perf_counter(), time.process_time(), time.time()
    corpora = list(corpus.corpora) if isinstance(corpus, ChainCorpus) else [corpus]
    if any(isinstance(c, ChainCorpus) for c in corpora) or any(c._stdin for c in corpora):
        raise ValueError("tag_files reads files and folders: flatten nested chains; tag standard input with Tagger.tag(stream=True)")
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
        work = _work_dir(stack, output_dir)
        parts = _number_lines(executor, parts)
        jobs_ = [_Job(p, corpora[p.source].options, corpora[p.source]._id_format, ref, options, output_format, explain,
                      str(work / f"part-{p.index:05d}{suffix}"), corpora[p.source].on_reject is not None) for p in parts]
        futures = [executor.submit(tag_part, job) for job in jobs_]
        fail = any(c.on_error == "fail" for c in corpora)
        sink = _Folder(Path(output_dir), work) if output_dir is not None else _Stream(out, batch_size if fail else None)
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
                    _replay(result.rejects, corpora[source].on_reject)
                reports[source] += ReadReport(result.n_read, result.n_skipped, result.problems)
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
            stats.files = sink.close(_manifest(corpora, ref, stats, reports, output_format))
        finally:
            for c, report in zip(corpora, reports):
                report.on_reject = c.on_reject
                c.report = report
    stats.seconds = time.perf_counter() - started
    stats.coordinator_cpu = time.process_time() - cpu
    return stats


def _number_lines(executor, parts: list[Part]) -> list[Part]:
    """Give each range of a file the number of its first line, from line counts done by the workers."""
    later = [p for p, q in zip(parts, parts[1:]) if q.source == p.source and p.stop is not None]
    counts = {p.index: executor.submit(count_lines, p.path, p.start, p.stop) for p in later}
    numbered, line = [], 1
    for p in parts:
        if p.start == 0:
            line = 1
        numbered.append(replace(p, first_line=line))
        if p.index in counts:
            line += counts[p.index].result()
    return numbered


@contextmanager
def _scratch(parent: str | os.PathLike | None):
    path = Path(tempfile.mkdtemp(prefix=".topics-parts-", dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _work_dir(stack: ExitStack, output_dir: str | os.PathLike | None) -> Path:
    """Where the workers write parts: inside ``output_dir`` (moved into place at the end), or a
    scratch folder ($TMPDIR) whose parts go to the output stream one by one."""
    if output_dir is None:
        return stack.enter_context(_scratch(None))
    target = Path(output_dir)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CorpusError(f"{target}: the output folder must be new or empty (it holds {'files' if target.is_dir() else 'a file'})")
    target.mkdir(parents=True, exist_ok=True)
    return stack.enter_context(_scratch(target))


def _replay(path: str, on_reject: Callable[[dict], None] | None) -> None:
    with open(path, encoding="utf-8") as f:
        for line in f:
            on_reject(json.loads(line))
    os.remove(path)


def _id_prefix(output_format: str, id: str) -> bytes:
    """How a record of either format starts: with its id."""
    return (('{"id": ' + json.dumps(id, ensure_ascii=False)) if output_format == "jsonl" else id).encode("utf-8")


def _copy_records(job: _Job, result: PartResult, renamed: dict[int, str], first: int, last: int, write,
                  one_by_one: bool = False) -> None:
    """Write records ``[first, last)`` of a part file, with the ids of ``renamed`` replaced
    (``one_by_one``: a call of ``write`` per record, else in chunks when the records are unchanged)."""
    ends = array("q")
    ends.frombytes(result.ends)
    with open(job.out, "rb") as f:
        if not renamed and first == 0 and last == len(ends) and not one_by_one:  # the usual case: the file as it is
            while chunk := f.read(1 << 20):
                write(chunk)
            return
        start = ends[first - 1] if first else 0
        f.seek(start)
        for i in range(first, last):
            record = f.read(ends[i] - start)
            start = ends[i]
            if i in renamed:
                old = _id_prefix(job.output_format, result.ids[i])
                assert record.startswith(old), "a record starts with its id"
                record = _id_prefix(job.output_format, renamed[i]) + record[len(old):]
            write(record)


class _Stream:
    """Parts copied to one output, in order, as they finish.

    With ``hold`` (a batch size, for ``on_error="fail"``), the records after the last full
    batch wait in memory (fewer than ``hold``) until the next part: a bad record drops its
    whole batch, as it does in one process.
    """

    def __init__(self, out, hold: int | None = None) -> None:
        if hasattr(out, "buffer"):  # a text file: write its bytes
            out.flush()
            self._write = out.buffer.write
        elif hasattr(out, "encoding"):  # text without a buffer (io.StringIO)
            self._write = lambda data: out.write(data.decode("utf-8"))
        else:
            self._write = out.write
        self.hold, self.tail, self.written = hold, [], 0

    def add(self, job: _Job, result: PartResult, renamed: dict[int, str], failed: bool = False) -> None:
        n = len(result.ids)
        if self.hold is None:
            _copy_records(job, result, renamed, 0, n, self._write)
        else:
            ready = (self.written + len(self.tail) + n) // self.hold * self.hold - self.written
            if ready >= len(self.tail):
                for record in self.tail:
                    self._write(record)
                _copy_records(job, result, renamed, 0, ready - len(self.tail), self._write)
                self.tail, first = [], ready - len(self.tail)
            else:
                first = 0
            self.written += ready
            if failed:
                self.tail = []
            else:
                _copy_records(job, result, renamed, first, n, self.tail.append, one_by_one=True)
        os.remove(job.out)

    def close(self, manifest: dict) -> list[str]:
        for record in self.tail:
            self._write(record)
        return []


class _Folder:
    """Parts left in a folder, with a manifest written last."""

    def __init__(self, target: Path, work: Path) -> None:
        self.target, self.work, self.parts = target, work, []

    def add(self, job: _Job, result: PartResult, renamed: dict[int, str], failed: bool = False) -> None:
        name = Path(job.out).name
        if renamed:  # rare: an id already used by an earlier part
            with open(job.out + ".tmp", "wb") as f:
                _copy_records(job, result, renamed, 0, len(result.ids), f.write)
            os.replace(job.out + ".tmp", job.out)
        self.parts.append({"file": name, "articles": len(result.ids), "bytes": os.path.getsize(job.out),
                           "input": job.part.path, **({"files": len(job.part.files)} if job.part.files else {}),
                           **({"bytes_from": job.part.start, "bytes_to": job.part.stop} if job.part.stop is not None else {})})

    def close(self, manifest: dict) -> list[str]:
        for part in self.parts:
            os.replace(self.work / part["file"], self.target / part["file"])
        manifest["parts"] = self.parts
        with open(self.target / MANIFEST, "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=2, ensure_ascii=False)
            f.write("\n")
        return [str(self.target / p["file"]) for p in self.parts]


def _manifest(corpora: list[Corpus], model: ModelRef, stats: TagStats, reports: list[ReadReport],
              output_format: str) -> dict:
    from .bundle import read_manifest

    bundle = read_manifest(Path(model.path))
    return {"format": output_format, "articles": stats.articles, "skipped": sum(r.n_skipped for r in reports),
            "inputs": [c.description for c in corpora], "model": f"{bundle.get('name')}@{bundle.get('version')}",
            "model_manifest_sha256": model.pin}
