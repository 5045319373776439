"""TF-IDF features of token lists: words and word pairs, transformed in bulk.

scikit-learn's ``TfidfVectorizer`` fits our features well, but at tagging time
it builds every bigram string of every article and counts them in a Python
dict, which costs more than the classifier itself. :class:`NgramTfidfVectorizer`
fits exactly like it and transforms a batch with one dictionary lookup per
token and numpy for the rest: bigrams become integer keys looked up in a sorted
array, so tagging a batch is a few vectorised passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections import Counter
from itertools import chain, islice

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = ["NgramTfidfVectorizer", "ngrams"]


def ngrams(tokens: Sequence[str]) -> list[str]:
    """Unigrams and bigrams of a token list (module level so it pickles)."""
    return list(tokens) + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


def _hash(keys: np.ndarray, size: int) -> np.ndarray:
    """Fibonacci hashing of int64 keys into [0, size), size a power of two."""
    shift = np.uint64(64 - (size.bit_length() - 1))
    return ((keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> shift).astype(np.intp)


class _WordIds(dict):
    """word → id, -1 for words the vocabulary lacks (a dict lookup from C, no default arg)."""

    def __missing__(self, key: str) -> int:
        return -1


_BLOCK = 4096  # documents transformed at once when fitting


class NgramTfidfVectorizer(TfidfVectorizer):
    """A ``TfidfVectorizer`` over token lists whose ``transform`` is vectorised.

    Takes the same parameters as :class:`~sklearn.feature_extraction.text.TfidfVectorizer`;
    with ``analyzer=ngrams`` (unigrams and bigrams of pre-tokenised documents)
    ``transform`` returns the same matrix as the parent's, several times faster.
    Other analyzers fall back to the parent's ``transform``.

    Attributes
    ----------
    ngram_index_ : tuple
        Lookup tables of ``transform``: word → id, the column of each word id as a
        unigram, the sorted integer keys of word pairs and their columns, a bitmap
        of hashed pair keys, and idf.
    """

    def fit(self, raw_documents, y=None):
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents, y=None):
        if not (self._fast() and self.vocabulary is None and self.max_features is None and not self.binary
                and isinstance(self.min_df, int) and self.max_df == 1.0):
            X = super().fit_transform(raw_documents)
            self.ngram_index_ = self._build_index()
            return X
        # Two passes in blocks, instead of the parent's one pass that holds every n-gram
        # of every document in Python lists (~40 bytes each): document frequencies
        # first, then the matrix from the kept vocabulary. Same vocabulary, idf and matrix.
        docs = raw_documents if isinstance(raw_documents, Sequence) else list(raw_documents)
        df: Counter = Counter()
        for tokens in docs:
            df.update(set(ngrams(tokens)))
            if len(df) > self._MAX_COUNTED:  # bound memory: forget n-grams seen once so far
                df = Counter({f: c for f, c in df.items() if c > 1})
        kept = sorted(f for f, c in df.items() if c >= self.min_df)
        if not kept:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        n = len(docs)
        # idf exactly as TfidfTransformer computes it (in the matrix's dtype).
        dtype = self.dtype if self.dtype in (np.float32, np.float64) else np.float64
        counts = np.array([df[f] for f in kept], dtype=dtype) + float(self.smooth_idf)
        del df
        self.vocabulary_ = dict(zip(kept, range(len(kept))))
        self.fixed_vocabulary_ = False
        idf = np.full_like(counts, fill_value=n + int(self.smooth_idf), dtype=dtype)
        idf /= counts
        np.log(idf, out=idf)
        self.idf_ = idf + 1.0
        self.ngram_index_ = self._build_index()
        blocks = [self.transform(list(islice(it, _BLOCK))) for it in [iter(docs)] for _ in range(0, n, _BLOCK)]
        return sp.vstack(blocks, format="csr") if blocks else self.transform([])

    _MAX_COUNTED = 5_000_000  # distinct n-grams counted before those seen once are dropped

    def _fast(self) -> bool:
        return self.analyzer is ngrams and self.norm in ("l2", None) and self.use_idf

    def transform(self, raw_documents):
        if not self._fast():
            return super().transform(raw_documents)
        if not hasattr(self, "ngram_index_"):  # vocabulary_ and idf_ were set by hand
            self.ngram_index_ = self._build_index()
        word_ids, unigram_col, pair_keys, pair_cols, pair_filter, idf = self.ngram_index_
        docs = raw_documents if isinstance(raw_documents, list) else list(raw_documents)
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
        ids = np.fromiter(map(word_ids.__getitem__, chain.from_iterable(docs)), dtype=np.int64, count=int(lengths.sum()))
        doc = np.repeat(np.arange(len(docs)), lengths)
        known = ids >= 0
        uni_cols = unigram_col[ids[known]]
        uni_keep = uni_cols >= 0
        rows = [doc[known][uni_keep]]
        cols = [uni_cols[uni_keep]]
        if len(ids) > 1 and len(pair_keys):
            a, b = ids[:-1], ids[1:]
            ok = (a >= 0) & (b >= 0) & (doc[:-1] == doc[1:])
            keys = a[ok] * len(unigram_col) + b[ok]
            # Most adjacent pairs are not features: a bitmap of hashed feature keys rules
            # out most of them before the binary search (several times fewer searches).
            maybe = np.flatnonzero(pair_filter[_hash(keys, pair_filter.size)])
            pos = np.minimum(np.searchsorted(pair_keys, keys[maybe]), len(pair_keys) - 1)
            hit = pair_keys[pos] == keys[maybe]
            rows.append(doc[:-1][ok][maybe[hit]])
            cols.append(pair_cols[pos[hit]])
        n_docs, n_features = len(docs), len(self.vocabulary_)
        rows_, cols_ = np.concatenate(rows), np.concatenate(cols)
        # COO → CSR is a counting sort by row; sum_duplicates then sorts each (short) row
        # and merges repeated (row, column) cells into counts, the parent's layout.
        X = sp.csr_matrix((np.ones(len(rows_), dtype=self.dtype), (rows_, cols_)), shape=(n_docs, n_features))
        X.sum_duplicates()
        if self.sublinear_tf:
            np.log(X.data, X.data)
            X.data += 1
        X.data *= idf[X.indices]
        if self.norm == "l2":
            row = np.repeat(np.arange(n_docs), np.diff(X.indptr))
            norms = np.sqrt(np.bincount(row, weights=X.data * X.data, minlength=n_docs)).astype(self.dtype)
            norms[norms == 0] = 1
            X.data /= norms[row]
        return X

    def _build_index(self):
        """Word ids, the unigram column of each word id, sorted (word-pair key → column), idf."""
        names = list(self.vocabulary_)
        cols = np.fromiter(self.vocabulary_.values(), dtype=np.int64, count=len(names))
        parts = [f.partition(" ") for f in names]  # (first, " ", second) for word pairs
        pair = np.fromiter((p[1] == " " for p in parts), dtype=bool, count=len(names))
        unigrams = [f for f, p in zip(names, pair) if not p]
        firsts = [p[0] for p in parts if p[1]]
        seconds = [p[2] for p in parts if p[1]]
        word_ids = _WordIds(zip(unigrams, range(len(unigrams))))
        for word in chain(firsts, seconds):  # with min_df only, a pair's words are unigram features too
            if word not in word_ids:
                word_ids[word] = len(word_ids)
        n_words = len(word_ids)
        unigram_col = np.full(n_words, -1, dtype=np.int64)
        unigram_col[: len(unigrams)] = cols[~pair]
        keys = np.fromiter(map(word_ids.__getitem__, firsts), dtype=np.int64, count=len(firsts)) * n_words
        keys += np.fromiter(map(word_ids.__getitem__, seconds), dtype=np.int64, count=len(seconds))
        order = np.argsort(keys)
        pair_filter = np.zeros(max(1 << 16, 1 << int(8 * len(keys)).bit_length()), dtype=bool)  # ≤ 1/8 full
        pair_filter[_hash(keys, pair_filter.size)] = True
        return word_ids, unigram_col, keys[order], cols[pair][order], pair_filter, self.idf_.astype(self.dtype)
