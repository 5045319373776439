"""Parts into the output: copied in input order to one stream as they finish (with ids made
unique across parts), or left in a folder with a ``manifest.json`` (see :mod:`topics.partition`)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from array import array
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..corpus import Corpus, CorpusError, ReadReport
from .worker import Job, ModelRef, PartResult

if TYPE_CHECKING:
    from .run import TagStats

__all__ = ["MANIFEST", "Folder", "Stream", "replay", "run_manifest", "work_dir"]

MANIFEST = "manifest.json"


@contextmanager
def _scratch(parent: str | os.PathLike | None):
    path = Path(tempfile.mkdtemp(prefix=".topics-parts-", dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def work_dir(stack: ExitStack, output_dir: str | os.PathLike | None) -> Path:
    """Where the workers write parts: inside ``output_dir`` (moved into place at the end), or a
    scratch folder ($TMPDIR) whose parts go to the output stream one by one."""
    if output_dir is None:
        return stack.enter_context(_scratch(None))
    target = Path(output_dir)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise CorpusError(
            f"{target}: the output folder must be new or empty (it holds {'files' if target.is_dir() else 'a file'})"
        )
    target.mkdir(parents=True, exist_ok=True)
    return stack.enter_context(_scratch(target))


def replay(path: str, on_reject: Callable[[dict], None] | None) -> None:
    with open(path, encoding="utf-8") as f:
        for line in f:
            on_reject(json.loads(line))
    os.remove(path)


def _id_prefix(output_format: str, id: str) -> bytes:
    """How a record of either format starts: with its id."""
    return (('{"id": ' + json.dumps(id, ensure_ascii=False)) if output_format == "jsonl" else id).encode("utf-8")


def _copy_records(
    job: Job, result: PartResult, renamed: dict[int, str], first: int, last: int, write, one_by_one: bool = False
) -> None:
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
                record = _id_prefix(job.output_format, renamed[i]) + record[len(old) :]
            write(record)


class Stream:
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

    def add(self, job: Job, result: PartResult, renamed: dict[int, str], failed: bool = False) -> None:
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


class Folder:
    """Parts left in a folder, with a manifest written last."""

    def __init__(self, target: Path, work: Path) -> None:
        self.target, self.work, self.parts = target, work, []

    def add(self, job: Job, result: PartResult, renamed: dict[int, str], failed: bool = False) -> None:
        name = Path(job.out).name
        if renamed:  # rare: an id already used by an earlier part
            with open(job.out + ".tmp", "wb") as f:
                _copy_records(job, result, renamed, 0, len(result.ids), f.write)
            os.replace(job.out + ".tmp", job.out)
        self.parts.append(
            {
                "file": name,
                "articles": len(result.ids),
                "bytes": os.path.getsize(job.out),
                "input": job.part.path,
                **({"files": len(job.part.files)} if job.part.files else {}),
                **({"bytes_from": job.part.start, "bytes_to": job.part.stop} if job.part.stop is not None else {}),
            }
        )

    def close(self, manifest: dict) -> list[str]:
        for part in self.parts:
            os.replace(self.work / part["file"], self.target / part["file"])
        manifest["parts"] = self.parts
        with open(self.target / MANIFEST, "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=2, ensure_ascii=False)
            f.write("\n")
        return [str(self.target / p["file"]) for p in self.parts]


def run_manifest(
    corpora: list[Corpus], model: ModelRef, stats: TagStats, reports: list[ReadReport], output_format: str
) -> dict:
    from ..bundle import read_manifest

    bundle = read_manifest(Path(model.path))
    return {
        "format": output_format,
        "articles": stats.articles,
        "skipped": sum(r.n_skipped for r in reports),
        "inputs": [c.description for c in corpora],
        "model": f"{bundle.get('name')}@{bundle.get('version')}",
        "model_manifest_sha256": model.pin,
    }
