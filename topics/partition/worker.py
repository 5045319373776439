"""The worker's side of a tagging run: load the model once, then read, tag and write parts
to files of its own, sending back only their metadata (see :mod:`topics.partition`)."""

from __future__ import annotations

import json
import os
import time
import warnings
from array import array
from contextlib import ExitStack
from dataclasses import dataclass
from typing import NamedTuple

from ..corpus import Corpus, CorpusError
from .plan import Part

__all__ = ["Job", "ModelRef", "PartResult", "start_worker", "tag_part"]


class ModelRef(NamedTuple):
    """A verified bundle folder and its manifest's digest, which workers load by."""

    path: str
    pin: str


@dataclass(frozen=True)
class Job:
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
    n_repaired: int
    rejects: str | None
    error: str | None  # on_error="fail": the message of the record that stopped the part
    cpu: float  # worker CPU seconds for this part (model loading excluded)
    load: float  # seconds this worker spent loading the model before this part, if it did
    ready: float  # time.time() when this worker had its model
    pid: int


_TAGGERS: dict = {}
_LOADED = [0.0, 0.0]  # seconds spent loading a model not yet reported in a PartResult; time.time() when ready


def _tagger(model: ModelRef, options: dict):
    """This process's tagger for ``model``: loaded on first use, from the verified folder."""
    from ..model import Model
    from ..tagger import Tagger

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


def start_worker(model: ModelRef, options: dict, parent: int) -> None:
    """Initializer of a local pool's processes: watch the coordinator ``parent`` (a killed one
    leaves no worker behind), then load the model before the first part arrives."""
    import signal

    from threadpoolctl import threadpool_limits

    from ..workers import exit_with_parent

    exit_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle: it stops the workers
    threadpool_limits(1)  # the processes are the parallelism: no BLAS threads fighting over cores
    _tagger(model, options)


def tag_part(job: Job) -> PartResult:
    """Read, tag and write one part (in a worker). Reads stop at an ``on_error="fail"``
    problem; what was read before it is tagged, and the message returned."""
    from ..tagger import tag_rule

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
    return PartResult(
        part.index,
        ids,
        ends.tobytes(),
        report.n_read,
        report.n_skipped,
        report.problems,
        report.n_repaired,
        rejects,
        error,
        time.process_time() - cpu,
        load,
        _LOADED[1],
        os.getpid(),
    )
