"""Tagging files in parallel: each worker reads, tags and writes its own part of the input.

A coordinator that reads every article, ships it to a worker, receives its tags and formats
them does serial work per article, which caps the speed-up however many workers there are
(Amdahl). Here the coordinator touches no article:

1. it plans parts (:mod:`.plan`): byte ranges of JSONL and lines files cut at line starts
   (the workers first count each range's lines, so that line numbers, default ids and
   ``file:line`` messages stay global), groups of a folder's files (of its ``.sgm`` files
   for Reuters-21578), whole CSV and ``.txt`` files (a quoted CSV field may span lines);
2. each worker (:mod:`.worker`) loads the model once, from the bundle folder the
   coordinator verified (:func:`topics.bundle.pin_bundle`), then reads, tags and writes
   parts to files of its own;
3. the coordinator (:func:`tag_files`, in :mod:`.run`) takes finished parts in input order
   (:mod:`.output`): it makes ids unique across parts (from the ids the workers send back:
   the one thing it does per article, a dictionary look-up), merges the read reports and
   replays rejected records, and copies each part to the output as soon as it and every
   part before it are done, or leaves the parts in a folder as ``part-00000.jsonl``...
   with a ``manifest.json``.

The output is byte for byte that of tagging in one process (``topics tag --jobs 1``), skip
reports and ``--on-error fail`` included. The same plan runs on a Dask cluster
(:mod:`topics.distributed`) when the workers reach the input, the bundle and the output
folder at the same paths.
"""

from __future__ import annotations

# The plan, the workers, the output and the coordinator live in their own modules; the names
# stay importable from ``topics.partition``.
from .output import MANIFEST
from .plan import Part, count_lines, plan_parts
from .run import TagStats, tag_files
from .worker import ModelRef, PartResult, tag_part

__all__ = [
    "Part",
    "PartResult",
    "TagStats",
    "plan_parts",
    "tag_files",
    "tag_part",
    "MANIFEST",
    "ModelRef",
    "count_lines",
]
