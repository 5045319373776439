"""Topic model quality and speed, scored on ground no model chooses.

Every model's topics are scored against one **reference tokenisation** of the raw article
texts that none of the models uses for itself: gensim ``simple_preprocess`` (lowercase
runs of 2–15 letters) minus gensim's ``STOPWORDS``. A model's top tokens are turned into
reference words before scoring: a token of ours (plurals folded, ``defence`` →
``defense``, ``hamas`` → ``hama``) becomes the reference word that our tokenizer turns
into it most often in the corpus (its *surface form*), a phrase (``air_defense``) becomes
its words, and words the reference does not have (numbers, ``usa`` from "U.S.") are
skipped. A topic's scored words are the first 10 distinct reference words down its
ranking (of the top 60 tokens). Models trained on the reference tokens themselves are
scored on their words as they are.

- **NPMI**: gensim ``CoherenceModel(coherence="c_npmi")`` over the reference texts:
  boolean sliding windows of 10 tokens (a shorter text is one window), NPMI of every pair
  of a topic's 10 words (ε = 1e-12), mean over pairs, then over topics (the measure and
  window of OCTIS and the BERTopic paper's evaluation). All models' topics of a corpus are
  scored in one call, over the same counts.
- **boilerplate topics**: topics with at least 3 number/table words (:data:`TABLE_REF`:
  ``vs``, ``cts``, ``shr``, ``qtr``, ``div``, ``dlrs``, ``mths``, …) among their 10 words.
- **diversity**: distinct words among the top 25 reference words of all topics.
- **train s**: wall-clock from token lists to topics (vocabulary, bag of words, training;
  for ours also its phrase learning). Tokenising is not counted for anyone.

Two tables per corpus:

1. *same vocabulary*: every model trains on the same token lists (our preprocessor's
   topic tokens: boilerplate lines out, phrases joined) and the same vocabulary (the one
   our model prunes to: words in ≥ 10 and ≤ 20% of the articles); ours drops near-duplicate
   articles as part of its training, peers see all.
2. *own vocabulary*: peers as a gensim user runs them, on the reference tokens with
   gensim's ``filter_extremes()`` defaults (≥ 5 articles, ≤ 50%); ``--full`` also tries our
   pruning on them and keeps each peer's better run. Ours is the same run as in table 1.

Corpora: Reuters-21578 (all 21,577 readable articles), BBC News (2,225), and a short-text
corpus, BBC titles + first sentence (scored against the reference of the full BBC
articles: co-occurrence over 2,225 fifteen-word items is too sparse to estimate NPMI).

The published reference point (OCTIS-style BBC, NPMI averaged over K = 10, 20, …, 50,
top 10; BERTopic paper, Grootendorst 2022, Table 1; code MaartenGr/BERTopic_evaluation)
is printed beside our model run under that protocol (``--octis``, on by default): the
BBC texts preprocessed OCTIS-style (lowercase, punctuation and stop words out, words of
≥ 3 letters in ≤ 50% of the articles, the 2,949 most widespread kept, as OCTIS's
BBC_News has 2,949 words; without OCTIS's spaCy lemmatiser, which cannot be installed
here), every model trained on those texts and scored over them, window 10.

    TOPICS_DATA=../shared/data python benchmarks/topic_models.py [--corpus reuters bbc short] [--k 20]
        [--only ours gensim tomotopy sklearn nmf] [--full] [--no-octis] [--record]

The default run takes ~20 minutes on a shared, loaded 2-core machine (less when idle); ``--full`` adds the own-vocabulary variants
and ``--octis-runs 3`` averages the OCTIS protocol over 3 seeds, as the paper does.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gensim.corpora import Dictionary  # noqa: E402
from gensim.models import CoherenceModel  # noqa: E402
from gensim.parsing.preprocessing import STOPWORDS  # noqa: E402
from gensim.utils import simple_preprocess  # noqa: E402

from topics.corpus import Corpus  # noqa: E402
from topics.lda import LdaTopicModel  # noqa: E402
from topics.preprocess import Preprocessor  # noqa: E402
from topics.taxonomy import default_taxonomy  # noqa: E402
from topics.training import fit_topic_model, theme_seed_tokens  # noqa: E402

TOPN = 10
RANKED = 60  # tokens of each topic's ranking walked for its reference words
DIVERSITY_TOPN = 25
# Number and table words of results tables (reference surface forms). Defined for scoring,
# independently of the filter in topics.boilerplate: the abbreviations of wire results,
# dividend and commodity tables, and ordinal suffixes left by simple_preprocess ("4th" → "th").
TABLE_REF = frozenset(
    "vs cts ct shr shrs qtr qtrs qtly div divs dlrs dlr mln bln pct mths mth revs rev oper avg prev nil "
    "th st nd rd pay record prior".split()
)
PUBLISHED = [  # OCTIS-style BBC News NPMI, average over K = 10..50 (step 10), top 10
    ("LDA (OCTIS, gensim)", 0.014),
    ("BERTopic (all-MiniLM-L6-v2 / all-mpnet-base-v2 / USE)", "0.167–0.170"),
    ("Top2Vec (Doc2Vec)", 0.171),
]
PUBLISHED_SOURCE = (
    "Grootendorst, BERTopic: Neural topic modeling with a class-based TF-IDF procedure (2022), "
    "Table 1; github.com/MaartenGr/BERTopic_evaluation"
)
OCTIS_VOCABULARY = 2949  # words of OCTIS's preprocessed BBC_News


# -- corpora -------------------------------------------------------------------------------
def load_texts(data: Path, name: str) -> list[str]:
    if name == "reuters":
        return [a.full_text for a in Corpus(data / "reuters21578", "reuters21578")]
    articles = list(Corpus(data / "bbc", "labelled-dir"))
    if name == "bbc":
        return [a.full_text for a in articles]
    if name == "short":  # title + the first sentence of the body
        return [f"{a.title}. {first_sentence(a.text)}" for a in articles]
    raise ValueError(name)


def first_sentence(text: str) -> str:
    body = text.strip().split("\n")[0]
    cut = [i for i in (body.find(". "), body.find("? "), body.find("! ")) if i > 0]
    return body[: min(cut) + 1] if cut else body


def reference_tokens(text: str) -> list[str]:
    return [w for w in simple_preprocess(text) if w not in STOPWORDS]


class Reference:
    """The reference texts, their dictionary, and our tokens' surface forms in them."""

    def __init__(self, docs: list[list[str]], pre: Preprocessor) -> None:
        self.docs = docs
        self.dictionary = Dictionary(docs)
        votes: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for i, word in self.dictionary.items():
            ours = pre.tokenize(word)
            if len(ours) == 1:
                votes[ours[0]].append((self.dictionary.cfs[i], word))
        self.surface = {t: max(v)[1] for t, v in votes.items()}  # most frequent; ties: later word

    def words(self, token: str, folded: bool) -> list[str]:
        out = []
        for part in token.split("_"):
            word = self.surface.get(part) if folded else part
            if word is not None and word in self.dictionary.token2id:
                out.append(word)
        return out

    def topic_words(self, ranked: list[str], folded: bool, n: int) -> list[str]:
        out: list[str] = []
        for token in ranked:
            for w in self.words(token, folded):
                if w not in out:
                    out.append(w)
            if len(out) >= n:
                break
        return out[:n]


# -- models: token lists + vocabulary → ranked tokens per topic ------------------------------
def vocab_filter(texts, vocabulary: set[str]) -> list[list[str]]:
    return [[w for w in t if w in vocabulary] for t in texts]


def gensim_lda(texts, vocabulary, k, seed=0, **options):
    from gensim.models import LdaModel

    d = Dictionary(vocab_filter(texts, vocabulary))
    params = {"passes": 10, "alpha": "auto", "eta": "auto", **options}
    m = LdaModel([d.doc2bow(t) for t in texts], id2word=d, num_topics=k, random_state=seed, eval_every=None, **params)
    return [[w for w, _ in m.show_topic(t, RANKED)] for t in range(k)]


def tomotopy_lda(texts, vocabulary, k, seed=0):
    import tomotopy as tp

    m = tp.LDAModel(k=k, seed=seed)
    for t in vocab_filter(texts, vocabulary):
        if t:
            m.add_doc(t)
    m.train(1000, workers=2, show_progress=False)
    return [[w for w, _ in m.get_topic_words(t, top_n=RANKED)] for t in range(k)]


def _counts(texts, vocabulary):
    from sklearn.feature_extraction.text import CountVectorizer

    vocab = sorted(vocabulary)
    return vocab, CountVectorizer(analyzer=lambda t: t, vocabulary=vocab).fit_transform(texts)


def sklearn_lda(texts, vocabulary, k, seed=0):
    from sklearn.decomposition import LatentDirichletAllocation

    vocab, X = _counts(texts, vocabulary)
    m = LatentDirichletAllocation(k, learning_method="batch", max_iter=10, random_state=seed).fit(X)
    return [[vocab[i] for i in np.argsort(-row)[:RANKED]] for row in m.components_]


def sklearn_nmf(texts, vocabulary, k, seed=0, distinctive=False):
    """NMF's topics, their words ranked by weight (as NMF users read them) or, with
    ``distinctive``, by our ranking (:func:`topics.topicbase.distinctiveness` over the
    articles' topic mix): a diagnostic of how much of a lead is the ranking, not the model."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfTransformer

    vocab, X = _counts(texts, vocabulary)
    m = NMF(k, init="nndsvd", max_iter=400, random_state=seed)
    W = m.fit_transform(TfidfTransformer().fit_transform(X))
    if not distinctive:
        return [[vocab[i] for i in np.argsort(-row)[:RANKED]] for row in m.components_]
    from topics.topicbase import distinctiveness, word_occurrence

    theta = W / np.maximum(W.sum(axis=1, keepdims=True), 1e-12)
    word_docs, mass = word_occurrence((X > 0).astype(np.float32), theta)
    return [[vocab[i] for i in np.argsort(-distinctiveness(word_docs, mass, t))[:RANKED]] for t in range(k)]


PEERS = {
    "gensim": ("gensim LdaModel (10 passes, alpha/eta auto)", gensim_lda),
    "tomotopy": ("tomotopy LDA (1,000 Gibbs iterations, 2 workers)", tomotopy_lda),
    "sklearn": ("scikit-learn LDA (batch, 10 iterations)", sklearn_lda),
    "nmf": ("scikit-learn NMF (TF-IDF, nndsvd)", sklearn_nmf),
}


def prune(texts, no_below, no_above) -> set[str]:
    d = Dictionary(texts)
    d.filter_extremes(no_below=no_below, no_above=no_above, keep_n=None)
    return set(d.token2id)


class Ours:
    """Our pipeline from raw texts, as ``topics train`` runs it (preprocessor, boilerplate
    filter, phrases, the topic model ``topics train`` picks for the corpus)."""

    def __init__(self, texts: list[str], pre: Preprocessor | None = None) -> None:
        self.pre = pre or Preprocessor()
        self.topic = [self.pre.topic_tokenize(t) for t in texts]

    def fit(self, k, seed=0, guided=True):
        t0 = time.perf_counter()
        self.pre.fit_tokens(self.topic)
        self.phrased = [self.pre.join_phrases(t) for t in self.topic]
        seeds = theme_seed_tokens(default_taxonomy(), self.pre) if guided else None
        self.model = fit_topic_model(self.phrased, k, seeds, seed)
        seconds = time.perf_counter() - t0
        ranked = [[w for w, _ in self.model.topic_words(t, RANKED)] for t in range(self.model.n_topics_)]
        return ranked, seconds


# -- scoring ---------------------------------------------------------------------------------
def score(ref: Reference, runs: list[dict]) -> None:
    """Adds npmi, per-topic npmi, boilerplate, diversity and the words to each run (one gensim call)."""
    all_topics = []
    for run in runs:
        run["words"] = [ref.topic_words(r, run["folded"], TOPN) for r in run["ranked"]]
        run["div_words"] = [ref.topic_words(r, run["folded"], DIVERSITY_TOPN) for r in run["ranked"]]
        all_topics += [w for w in run["words"] if len(w) >= 2]
    cm = CoherenceModel(
        topics=all_topics, texts=ref.docs, dictionary=ref.dictionary, coherence="c_npmi", topn=TOPN, processes=1
    )
    values = iter(cm.get_coherence_per_topic())
    for run in runs:
        run["topic_npmi"] = [float(next(values)) if len(w) >= 2 else float("nan") for w in run["words"]]
        run["npmi"] = float(np.nanmean(run["topic_npmi"]))
        run["boilerplate"] = sum(sum(w in TABLE_REF for w in ws) >= 3 for ws in run["words"])
        total = sum(len(w) for w in run["div_words"])
        run["diversity"] = len({w for ws in run["div_words"] for w in ws}) / total if total else float("nan")


def own_token_npmi(ranked, texts) -> float:
    """The old figure: our topics scored over our own tokens (phrases, folded plurals)."""
    from topics.quality import coherence

    return coherence([r[:TOPN] for r in ranked], texts, "c_npmi", TOPN)[0]


def table(runs, title, ours_key="ours", old=None) -> str:
    lines = [
        title,
        "",
        "| model | NPMI (reference) | boilerplate topics | diversity | train s |"
        + (" NPMI on own tokens (old measure) |" if old is not None else ""),
        "|---|---:|---:|---:|---:|" + ("---:|" if old is not None else ""),
    ]
    for r in runs:
        extra = (f" {old:.3f} |" if r["key"] == ours_key else " |") if old is not None else ""
        lines.append(
            f"| {r['label']} | {r['npmi']:.3f} | {r['boilerplate']} / {len(r['words'])} | "
            f"{r['diversity']:.2f} | {r['seconds']:.1f} |{extra}"
        )
    ours = next((r for r in runs if r["key"] == ours_key), None)
    peers = [r for r in runs if not r["key"].startswith("ours")]
    if ours and peers:
        best = max(peers, key=lambda r: r["npmi"])
        fastest = min(peers, key=lambda r: r["seconds"])
        lines += [
            "",
            f"ours vs best peer NPMI ({best['label']}): {ours['npmi'] / best['npmi']:.2f}× "
            f"(bar ≥ 1.10×); time vs fastest peer ({fastest['label']}): "
            f"{ours['seconds'] / fastest['seconds']:.2f}× (bar ≤ 0.5×)",
        ]
    return "\n".join(lines)


def run_corpus(name, texts, ref_texts, args, say) -> tuple[list[str], dict]:
    """Both tables for one corpus; returns the markdown blocks and ours' run."""
    k = args.k_short if name == "short" else args.k
    pre = Preprocessor()
    ref = Reference([reference_tokens(t) for t in ref_texts], pre)
    ours = Ours(texts, pre)
    ranked, seconds = ours.fit(k, args.seed)
    kind = type(ours.model).__name__
    ours_run = {
        "key": "ours",
        "label": f"topics default ({kind})",
        "ranked": ranked,
        "seconds": seconds,
        "folded": True,
    }
    say(f"  {name}: ours ({kind}) {seconds:.1f} s")
    vocabulary = set(ours.model.dictionary_.token2id)
    same, own = [ours_run], [ours_run]
    if kind != "LdaTopicModel":  # what the corpus-length rule passed over, measured too
        t0 = time.perf_counter()
        seeds = theme_seed_tokens(default_taxonomy(), ours.pre)
        lda = LdaTopicModel(n_topics=k, seed_topics=seeds, random_state=args.seed).fit(ours.phrased)
        same.append(
            {
                "key": "ours-lda",
                "label": "topics LdaTopicModel (not chosen for short texts)",
                "ranked": [[w for w, _ in lda.topic_words(t, RANKED)] for t in range(k)],
                "seconds": time.perf_counter() - t0,
                "folded": True,
            }
        )
    own_tokens = [reference_tokens(t) for t in texts]
    for key, (label, fn) in PEERS.items():
        if args.only and key not in args.only:
            continue
        try:
            t0 = time.perf_counter()
            r = fn(ours.phrased, vocabulary, k, args.seed)
            same.append({"key": key, "label": label, "ranked": r, "seconds": time.perf_counter() - t0, "folded": True})
            say(f"  {name}: {key} same vocabulary {same[-1]['seconds']:.1f} s")
            variants = [(5, 0.5, "gensim filter_extremes defaults")] + ([(10, 0.2, "our pruning")] if args.full else [])
            for no_below, no_above, how in variants:
                t0 = time.perf_counter()
                v = prune(own_tokens, min(no_below, max(1, len(texts) // 50)), no_above)
                r = fn(own_tokens, v, k, args.seed)
                own.append(
                    {
                        "key": f"{key}:{how}",
                        "label": f"{label}, reference tokens, {how}",
                        "ranked": r,
                        "seconds": time.perf_counter() - t0,
                        "folded": False,
                    }
                )
                say(f"  {name}: {key} own vocabulary ({how}) {own[-1]['seconds']:.1f} s")
        except ImportError as exc:
            say(f"skipping {label}: {exc}")
    if not args.only or "nmf" in args.only:  # a diagnostic row, not a peer: NMF with our word ranking
        t0 = time.perf_counter()
        r = sklearn_nmf(ours.phrased, vocabulary, k, args.seed, distinctive=True)
        same.append(
            {
                "key": "ours-nmf",
                "label": "diagnostic, not a peer: scikit-learn NMF with our word ranking",
                "ranked": r,
                "seconds": time.perf_counter() - t0,
                "folded": True,
            }
        )
    score(ref, same + own[1:])
    if args.full:  # each peer's better vocabulary
        best: dict[str, dict] = {}
        for r in own[1:]:
            peer = r["key"].split(":")[0]
            if peer not in best or r["npmi"] > best[peer]["npmi"]:
                best[peer] = r
        own = [ours_run] + list(best.values())
    old = own_token_npmi(ranked, ours.phrased)
    described = {
        "reuters": "Reuters-21578 (all readable articles)",
        "bbc": "BBC News",
        "short": "BBC titles + first sentence (scored on the full BBC articles)",
    }[name]
    n_tokens = sum(map(len, ref.docs))
    head = f"{described}: {len(texts):,} texts, K={k}, reference {n_tokens:,} tokens"
    blocks = [
        table(same, f"{head}; same vocabulary for every model ({len(vocabulary):,} words)", old=old),
        table(own, f"{head}; each model's own vocabulary"),
    ]
    ours_run["examples"] = [", ".join(w) for w in ours_run["words"]]
    return blocks, ours_run


# -- the OCTIS-style protocol ------------------------------------------------------------------
def octis_docs(texts: list[str]) -> list[list[str]]:
    docs = [[w for w in simple_preprocess(t) if w not in STOPWORDS and len(w) >= 3] for t in texts]
    d = Dictionary(docs)
    d.filter_extremes(no_below=1, no_above=0.5, keep_n=OCTIS_VOCABULARY)
    keep = set(d.token2id)
    return [[w for w in doc if w in keep] for doc in docs]


def run_octis(texts, args, say) -> str:
    docs = octis_docs(texts)
    pre = Preprocessor()
    ref = Reference(docs, pre)
    joined = [" ".join(d) for d in docs]
    ks = list(range(10, 51, 10))
    runs = []
    for seed in range(args.octis_runs):
        for k in ks:
            ours = Ours(joined, Preprocessor())
            ranked, seconds = ours.fit(k, seed)
            runs.append({"key": "ours", "k": k, "ranked": ranked, "seconds": seconds, "folded": True})
            t0 = time.perf_counter()
            vocab = set(ref.dictionary.token2id)
            r = gensim_lda(docs, vocab, k, seed, passes=1, alpha="symmetric", eta=None)
            runs.append({"key": "lda", "k": k, "ranked": r, "seconds": time.perf_counter() - t0, "folded": False})
            say(f"  OCTIS-style BBC K={k} seed {seed}: ours {seconds:.1f} s")
    # ours' surface map must come from its own preprocessor's tokens: the reference is built
    # with a fresh Preprocessor, which tokenises the same way
    score(ref, runs)
    ours_k = {k: np.mean([r["npmi"] for r in runs if r["key"] == "ours" and r["k"] == k]) for k in ks}
    lda_k = {k: np.mean([r["npmi"] for r in runs if r["key"] == "lda" and r["k"] == k]) for k in ks}
    ours_mean, lda_mean = float(np.mean(list(ours_k.values()))), float(np.mean(list(lda_k.values())))
    div = float(np.mean([r["diversity"] for r in runs if r["key"] == "ours"]))
    lines = [
        f"OCTIS-style BBC News ({len(docs):,} articles, {len(ref.dictionary):,} words), NPMI top 10, window 10, "
        f"mean over K = 10, 20, 30, 40, 50 ({args.octis_runs} run{'s' if args.octis_runs > 1 else ''} each)",
        "",
        "| model | NPMI | source |",
        "|---|---:|---|",
    ]
    for label, value in PUBLISHED:
        lines.append(f"| {label} | {value if isinstance(value, str) else f'{value:.3f}'} | published |")
    lines.append(f"| gensim LdaModel, gensim defaults (1 pass), this run | {lda_mean:.3f} | this run |")
    lines.append(f"| **topics default, this run** | **{ours_mean:.3f}** | this run (diversity {div:.2f}) |")
    lines += [
        "",
        "ours per K: " + ", ".join(f"{k}: {v:.3f}" for k, v in ours_k.items()),
        "",
        f"Published figures: {PUBLISHED_SOURCE}. The bar: ≥ 0.17.",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", nargs="*", default=["reuters", "bbc", "short"], choices=["reuters", "bbc", "short"])
    parser.add_argument("--k", type=int, default=20, help="topics for Reuters and BBC (default: 20)")
    parser.add_argument("--k-short", type=int, default=20, help="topics for the short-text corpus (default: 20)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default=os.environ.get("TOPICS_DATA") or str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--only", nargs="*", default=None, help="peers to run (gensim tomotopy sklearn nmf)")
    parser.add_argument(
        "--full", action="store_true", help="own-vocabulary table: also our pruning for peers, best kept"
    )
    parser.add_argument("--no-octis", action="store_true", help="skip the OCTIS-style BBC protocol")
    parser.add_argument("--octis-runs", type=int, default=1, help="seeds averaged under the OCTIS protocol (paper: 3)")
    parser.add_argument("--show-topics", action="store_true", help="print our topics' reference words")
    parser.add_argument("--record", action="store_true", help="append the tables to benchmarks/RESULTS.md")
    args = parser.parse_args(argv)
    data = Path(args.data)

    def say(msg):
        print(msg, file=sys.stderr, flush=True)

    blocks = []
    bbc_texts = None
    for name in args.corpus:
        texts = load_texts(data, name)
        if name == "short":
            bbc_texts = bbc_texts or load_texts(data, "bbc")
        ref_texts = bbc_texts if name == "short" else texts
        if name == "bbc":
            bbc_texts = texts
        say(f"{name}: {len(texts):,} texts")
        b, ours = run_corpus(name, texts, ref_texts, args, say)
        blocks += b
        if args.show_topics:
            say("\n".join(f"    {v:.3f}  {w}" for v, w in zip(ours["topic_npmi"], ours["examples"])))
    if not args.no_octis:
        blocks.append(run_octis(bbc_texts or load_texts(data, "bbc"), args, say))
    out = "\n\n".join(blocks)
    from results import publish

    publish("Topic models on a reference tokenisation", out, args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
