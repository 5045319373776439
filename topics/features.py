"""TF-IDF features of token lists: words and word pairs, transformed in bulk.

scikit-learn's ``TfidfVectorizer`` defines our features, but at tagging time it
builds every bigram string of every article and counts them in a Python dict,
which costs more than the classifier itself; and fitting holds every n-gram of
the corpus in Python lists. :class:`NgramTfidfVectorizer` learns the same
vocabulary, idf and matrix, counting n-grams as integer keys a block of
documents at a time, and transforms a batch with one dictionary lookup per
token and numpy for the rest (bigrams are integer keys looked up in a sorted
array, most ruled out first by a bitmap).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, islice

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

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


_BLOCK = 4096  # documents counted or transformed at once


class NgramTfidfVectorizer(TfidfVectorizer):
    """A ``TfidfVectorizer`` over token lists whose ``transform`` is vectorised.

    Takes the same parameters as :class:`~sklearn.feature_extraction.text.TfidfVectorizer`;
    with ``analyzer=ngrams`` (unigrams and bigrams of pre-tokenised documents),
    ``fit`` reads the documents once in blocks (memory: 16 bytes per distinct
    n-gram) and ``transform`` returns the same matrix as the parent's, several
    times faster. Other settings fall back to the parent's methods.

    Attributes
    ----------
    ngram_index_ : tuple
        Lookup tables of ``transform``: word → id, the column of each word id as a
        unigram, the sorted integer keys of word pairs and their columns, a bitmap
        of hashed pair keys, and idf.
    """

    def _streamable(self) -> bool:
        return (
            self._fast()
            and self.vocabulary is None
            and not self.binary
            and isinstance(self.min_df, int)
            and self.max_df == 1.0
        )

    def fit(self, raw_documents, y=None):
        if not self._streamable():
            super().fit(raw_documents)
            self.ngram_index_ = self._build_index()
            return self
        self._count(raw_documents)
        return self

    def fit_transform(self, raw_documents, y=None):
        if not self._streamable():
            X = super().fit_transform(raw_documents)
            self.ngram_index_ = self._build_index()
            return X
        docs = raw_documents if isinstance(raw_documents, Sequence) else list(raw_documents)
        self._count(docs)
        return self.transform(docs)

    def _count(self, docs) -> None:
        """Learn the vocabulary and idf from documents read once, a block at a time."""
        # The parent holds every n-gram of every document in Python lists (~40 bytes
        # each) and a dict of all n-gram strings. Here document frequencies (and corpus
        # counts, for max_features) are integer keys, 16 bytes per distinct n-gram; the
        # vocabulary, idf and matrix come out the same as the parent's.
        vocab: dict[str, int] = {}
        ngram_keys = np.empty(0, dtype=np.int64)
        ngram_df = np.empty(0, dtype=np.int64)
        ngram_tf = np.empty(0, dtype=np.int64)
        it = iter(docs)
        n = 0
        while block := list(islice(it, _BLOCK)):
            n += len(block)
            lengths = np.fromiter(map(len, block), dtype=np.int64, count=len(block))
            ids = np.fromiter(
                (vocab.setdefault(t, len(vocab)) for d in block for t in d), dtype=np.int64, count=int(lengths.sum())
            )
            doc = np.repeat(np.arange(len(block)), lengths)
            same = doc[:-1] == doc[1:]
            # A unigram's key is its word id; a bigram's is (first + 1) * 2**32 + second.
            keys = np.concatenate([ids, ((ids[:-1] + 1) << 32)[same] + ids[1:][same]])
            owners = np.concatenate([doc, doc[:-1][same]])
            order = np.lexsort((owners, keys))
            keys, owners = keys[order], owners[order]
            first = np.ones(len(keys), dtype=bool)  # each n-gram once per document
            first[1:] = (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])
            block_keys, block_df = np.unique(keys[first], return_counts=True)
            block_tf = np.bincount(np.searchsorted(block_keys, keys), minlength=len(block_keys))
            merged, inverse = np.unique(np.concatenate([ngram_keys, block_keys]), return_inverse=True)
            ngram_df = np.bincount(inverse, weights=np.concatenate([ngram_df, block_df]), minlength=len(merged)).astype(
                np.int64
            )
            ngram_tf = np.bincount(inverse, weights=np.concatenate([ngram_tf, block_tf]), minlength=len(merged)).astype(
                np.int64
            )
            ngram_keys = merged
        keep = ngram_df >= self.min_df
        if not keep.any():
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        names = list(vocab)
        features = [
            names[k] if k < 1 << 32 else f"{names[(k >> 32) - 1]} {names[k & 0xFFFFFFFF]}"
            for k in ngram_keys[keep].tolist()
        ]
        order = sorted(range(len(features)), key=features.__getitem__)  # the parent's column order
        if self.max_features is not None and len(order) > self.max_features:
            # As the parent: the most frequent features (corpus counts), then in column order.
            tf = ngram_tf[keep][order]
            order = [order[i] for i in sorted((-tf).argsort()[: self.max_features])]
        kept = [features[i] for i in order]
        df_kept = ngram_df[keep][order]
        del vocab, names, features, ngram_keys, ngram_df, ngram_tf
        # idf exactly as TfidfTransformer computes it (in the matrix's dtype).
        dtype = self.dtype if self.dtype in (np.float32, np.float64) else np.float64
        counts = df_kept.astype(dtype) + float(self.smooth_idf)
        self.vocabulary_ = dict(zip(kept, range(len(kept))))
        self.fixed_vocabulary_ = False
        idf = np.full_like(counts, fill_value=n + int(self.smooth_idf), dtype=dtype)
        idf /= counts
        np.log(idf, out=idf)
        self.idf_ = idf + 1.0
        self.ngram_index_ = self._build_index()

    def _fast(self) -> bool:
        return self.analyzer is ngrams and self.norm in ("l2", None) and self.use_idf

    def transform(self, raw_documents):
        if not self._fast():
            return super().transform(raw_documents)
        check_is_fitted(self, "vocabulary_")
        if not hasattr(self, "ngram_index_"):  # vocabulary_ and idf_ were set by hand
            self.ngram_index_ = self._build_index()
        if not isinstance(raw_documents, list) or len(raw_documents) > _BLOCK:
            # A block at a time: the temporaries below cost ~80 bytes per token.
            it = iter(raw_documents)
            blocks = []
            while block := list(islice(it, _BLOCK)):
                blocks.append(self._transform(block))
            if len(blocks) == 1:
                return blocks[0]
            return sp.vstack(blocks, format="csr") if blocks else self._transform([])
        return self._transform(raw_documents)

    def _transform(self, docs: list) -> sp.csr_matrix:
        word_ids, unigram_col, pair_keys, pair_cols, pair_filter, idf = self.ngram_index_
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
        ids = np.fromiter(
            map(word_ids.__getitem__, chain.from_iterable(docs)), dtype=np.int64, count=int(lengths.sum())
        )
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
