"""Token lists of a whole corpus, kept on disk so training memory stays flat.

Training reads every article once, but its stages (phrases, topics, themes) each
pass over the tokens again. Python lists of strings cost ~10 bytes per token plus
~60 per article; a :class:`TokenStore` writes token ids (4 bytes each) to an
unnamed temporary file and reads them back a block at a time, so memory holds the
vocabulary and one block, however many articles there are.
"""

from __future__ import annotations

import os
import tempfile
import weakref
from array import array
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

__all__ = ["Chained", "Subset", "TokenStore"]


class _Ids(dict):
    """word → id; a new word gets the next id (looked up from C by ``map``)."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []

    def __missing__(self, word: str) -> int:
        self[word] = len(self.words)
        self.words.append(word)
        return self[word]


class TokenStore(Sequence):
    """An append-only sequence of token lists backed by a temporary file.

    Parameters
    ----------
    token_lists : iterable of list of str, optional
        Appended at construction.
    directory : str, optional
        Where the temporary file goes (default: the system's temporary folder). The
        file has no name and disappears when the store is closed or collected.
    block : int, default=2048
        Articles read back per disk read when iterating.

    Examples
    --------
    >>> store = TokenStore([["oil", "price"], ["gas"]])
    >>> len(store), store[1], list(store)
    (2, ['gas'], [['oil', 'price'], ['gas']])
    """

    def __init__(
        self, token_lists: Iterable[Sequence[str]] = (), directory: str | None = None, block: int = 2048
    ) -> None:
        self._ids = _Ids()
        self._offsets = array("q", [0])
        self._pending = array("I")
        self._file = tempfile.TemporaryFile(dir=directory)
        self._close = weakref.finalize(self, self._file.close)  # closed however the store is dropped
        self._block = block
        self._words: np.ndarray | None = None
        self.extend(token_lists)

    def append(self, tokens: Sequence[str]) -> None:
        self._pending.extend(map(self._ids.__getitem__, tokens))
        self._offsets.append(self._offsets[-1] + len(tokens))
        if len(self._pending) >= 1 << 20:
            self._flush()

    def extend(self, token_lists: Iterable[Sequence[str]]) -> None:
        for tokens in token_lists:
            self.append(tokens)

    def _flush(self) -> None:
        if self._pending:
            self._file.seek(0, os.SEEK_END)
            self._file.write(self._pending.tobytes())
            self._pending = array("I")

    def _read(self, start: int, stop: int) -> np.ndarray:
        """Token ids of articles start..stop-1, as one array."""
        self._flush()
        first, last = self._offsets[start], self._offsets[stop]
        self._file.seek(first * 4)
        return np.frombuffer(self._file.read((last - first) * 4), dtype=np.uint32)

    def _vocabulary(self) -> np.ndarray:
        if self._words is None or len(self._words) != len(self._ids.words):
            self._words = np.array(self._ids.words, dtype=object)
        return self._words

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i: int) -> list[str]:
        if not -len(self) <= i < len(self):
            raise IndexError(f"article {i} of {len(self)}")
        i %= len(self)
        return self._vocabulary()[self._read(i, i + 1)].tolist()

    def __iter__(self) -> Iterator[list[str]]:
        words = self._vocabulary()
        for start in range(0, len(self), self._block):
            stop = min(start + self._block, len(self))
            tokens = words[self._read(start, stop)].tolist()
            base = self._offsets[start]
            for i in range(start, stop):
                yield tokens[self._offsets[i] - base : self._offsets[i + 1] - base]

    def n_tokens(self) -> int:
        """Tokens of all articles."""
        return self._offsets[-1]

    def close(self) -> None:
        self._close()

    def __getstate__(self):
        raise TypeError("a TokenStore is a temporary file; convert it with list() to pickle its tokens")


class Chained(Sequence):
    """Sequences one after another, without copying them."""

    def __init__(self, *parts: Sequence) -> None:
        self.parts = parts

    def __len__(self) -> int:
        return sum(map(len, self.parts))

    def __getitem__(self, i: int):
        if i < 0:
            i += len(self)
        for part in self.parts:
            if 0 <= i < len(part):
                return part[i]
            i -= len(part)
        raise IndexError("index out of range")

    def __iter__(self) -> Iterator:
        for part in self.parts:
            yield from part


class Subset(Sequence):
    """The documents of ``docs`` at ``indices`` (increasing), without copying them."""

    def __init__(self, docs: Sequence, indices: Iterable[int]) -> None:
        self.docs = docs
        self.indices = np.fromiter(indices, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, i: int):
        return self.docs[int(self.indices[i])]

    def __iter__(self) -> Iterator:
        wanted = set(self.indices.tolist())  # one sequential read, however docs are stored
        return (d for i, d in enumerate(self.docs) if i in wanted)
