"""The interactive inter-topic distance map: self-contained HTML (pyLDAvis's, or the toolkit's own)."""

from __future__ import annotations

import html
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..fsutil import write_text_atomic
from .figures import _BAR
from .tagged import CorpusLike, ModelLike, TaggedCorpus, _label, _model, _tagged, _topic_labels

if TYPE_CHECKING:
    from ..model import Model

__all__ = ["TopicMap", "topic_map"]


@dataclass
class TopicMap:
    """An interactive inter-topic distance map: self-contained HTML, no network fetches.

    Attributes
    ----------
    fragment : str
        A ``<div>`` with its styles and scripts inline, to embed in a page.
    engine : {"pyldavis", "builtin"}
        pyLDAvis's map, which numbers topics from 1 (its topic ``k`` is topic ``#k-1``
        elsewhere; its JavaScript takes topic 0 for "no topic"), or the toolkit's own,
        which numbers them as everywhere else.
    """

    fragment: str = field(repr=False)
    engine: str = "builtin"

    def page(self, title: str = "Topic map") -> str:
        """A complete HTML page holding the map."""
        return (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
            f'<body style="margin:8px;background:#fff">\n{self.fragment}\n</body></html>\n'
        )

    def save(self, path: str | os.PathLike, title: str = "Topic map") -> Path:
        """Write :meth:`page` to ``path`` atomically and return the path."""
        return write_text_atomic(path, self.page(title))

    def _repr_html_(self) -> str:
        # An iframe keeps the map's scripts and styles away from the notebook's (and its require.js).
        height = 880 if self.engine == "pyldavis" else 560
        return (
            f'<iframe srcdoc="{html.escape(self.page(), quote=True)}" style="width:100%;height:{height}px;border:0" '
            f'title="topic map"></iframe>'
        )


def topic_map(model: ModelLike, corpus: CorpusLike | None = None, engine: str = "auto", n_words: int = 30) -> TopicMap:
    """An interactive inter-topic distance map (pyLDAvis's, or an equivalent of our own).

    Topics are placed in 2-D by classical multidimensional scaling (PCoA) of
    their Jensen–Shannon distances, drawn as circles sized by prevalence;
    selecting one lists its top words.

    Parameters
    ----------
    model : Model, str or path
    corpus : optional
        Prevalence and term frequencies come from this corpus; from the training
        corpus's topic sizes when None.
    engine : {"auto", "pyldavis", "builtin"}
        "auto" uses pyLDAvis when it is installed, works and a corpus is given,
        otherwise the built-in map.
    n_words : int
        Words listed per topic.

    Returns
    -------
    TopicMap
        Shows itself in Jupyter; ``.save(path)`` writes a standalone page.
    """
    if engine not in ("auto", "pyldavis", "builtin"):
        raise ValueError(f"engine must be 'auto', 'pyldavis' or 'builtin', got {engine!r}")
    model = _model(model)
    tc = _tagged(model, corpus) if corpus is not None else None
    if engine == "pyldavis" or (engine == "auto" and tc is not None and len(tc)):
        if tc is None:
            raise ValueError("the pyLDAvis map needs a corpus")
        try:
            return TopicMap(_pyldavis_fragment(model, tc, n_words), "pyldavis")
        except Exception:  # not installed, or incompatible with this pandas/numpy
            if engine == "pyldavis":
                raise
    return TopicMap(_builtin_fragment(model, tc, n_words), "builtin")


def _pyldavis_fragment(model: Model, tc: TaggedCorpus, n_words: int) -> str:
    import warnings

    import pyLDAvis
    from pyLDAvis import urls

    phi = model.lda.topic_word_distributions()[0]
    keep = tc.term_counts > 0  # pyLDAvis divides by term frequencies
    phi = phi[:, keep]
    phi = phi / phi.sum(axis=1, keepdims=True)
    vocab = [model.display(model.lda.dictionary_[i]) for i in np.flatnonzero(keep)]
    lengths = tc.articles["n_tokens"].to_numpy()
    docs = lengths > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = pyLDAvis.prepare(
            phi,
            tc.theta[docs],
            lengths[docs],
            vocab,
            tc.term_counts[keep],
            R=n_words,
            mds="pcoa",
            sort_topics=False,
            n_jobs=1,
        )
    vis_id = f"ldavis_{secrets.token_hex(6)}"
    d3 = Path(urls.D3_LOCAL).read_text(encoding="utf-8")
    ldavis = Path(urls.LDAVIS_LOCAL).read_text(encoding="utf-8")
    css = Path(urls.LDAVIS_CSS_LOCAL).read_text(encoding="utf-8")
    # d3 is UMD: call it with a private `this` and no define/module/exports, so it neither
    # registers with a page's require.js nor replaces a page's own d3.
    return (
        f'<style>{css}</style>\n<div id="{vis_id}" style="background-color:white;"></div>\n'
        f"<script>(function(){{\nvar __root = {{}};\n(function(define, module, exports){{\n{_script_safe(d3)}\n}}).call(__root);\n"
        f'var d3 = __root.d3;\n{_script_safe(ldavis)}\nnew LDAvis("#{vis_id}", {_script_safe(data.to_json())});\n}})();</script>'
    )


def _script_safe(text: str) -> str:
    """Text safe inside an inline <script> (no closing tag can end it early)."""
    return text.replace("</", "<\\/")


def _js_distances(phi: np.ndarray) -> np.ndarray:
    """Jensen–Shannon distances (base 2, in [0, 1]) between the rows of ``phi``."""
    eps = 1e-12
    p = phi[:, None, :]
    q = phi[None, :, :]
    m = (p + q) / 2

    def kl(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.where(a > 0, a * (np.log2(a + eps) - np.log2(b + eps)), 0.0).sum(axis=-1)

    return np.sqrt(np.clip((kl(p, m) + kl(q, m)) / 2, 0, None))


def _pcoa(dist: np.ndarray) -> np.ndarray:
    """Classical MDS (principal coordinates) of a distance matrix into 2-D."""
    n = len(dist)
    if n < 3:
        return np.column_stack([np.arange(n, dtype=float), np.zeros(n)])
    j = np.eye(n) - 1.0 / n
    b = -0.5 * j @ (dist**2) @ j
    vals, vecs = np.linalg.eigh(b)
    top = np.argsort(vals)[::-1][:2]
    coords = vecs[:, top] * np.sqrt(np.clip(vals[top], 0, None))
    # Fix the signs (eigenvectors are defined up to sign) so the map is reproducible.
    coords *= np.where(coords[np.abs(coords).argmax(axis=0), range(2)] < 0, -1, 1)
    return coords


def _builtin_fragment(model: Model, tc: TaggedCorpus | None, n_words: int) -> str:
    lda = model.lda
    phi = lda.topic_word_distributions()[0]
    k = len(phi)
    if tc is not None and len(tc):
        w = tc.articles["n_tokens"].to_numpy(float)
        prevalence = (tc.theta * w[:, None]).sum(axis=0)
        prevalence = prevalence / prevalence.sum() if prevalence.sum() else np.full(k, 1 / k)
        source = f"{len(tc):,} articles"
    else:
        prevalence = np.asarray(lda.topic_sizes_, dtype=float)
        source = "the training corpus"
    coords = _pcoa(_js_distances(phi))
    overall = prevalence @ phi  # the corpus's estimated word distribution
    size = 460.0
    radius = np.sqrt(prevalence / prevalence.max()) * size * 0.08 + 4
    pad = radius.max() + 8  # keep every circle inside the frame
    span = np.ptp(coords, axis=0).max() or 1.0
    xy = (coords - coords.min(axis=0) - np.ptp(coords, axis=0) / 2) / span * (size - 2 * pad) + size / 2
    xy[:, 1] = size - xy[:, 1]  # SVG's y grows downwards
    labels = _topic_labels(model)
    topics = []
    for j in range(k):
        top = [
            t
            for t in np.argsort(phi[j])[::-1][: n_words + 20]
            if not model.preprocessor.is_display_junk(lda.dictionary_[int(t)])
        ][:n_words]
        topics.append(
            {
                "id": j,
                "label": _label(model, j, labels, 40),
                "share": round(float(prevalence[j]), 4),
                "words": [
                    [model.display(lda.dictionary_[int(t)]), round(float(phi[j, t]), 5), round(float(overall[t]), 5)]
                    for t in top
                ],
            }
        )
    vis_id = f"tmap_{secrets.token_hex(6)}"
    circles = "\n".join(
        f'<g class="t" data-k="{j}" tabindex="0"><title>{html.escape(topics[j]["label"])}: {prevalence[j]:.1%} of tokens</title>'
        f'<circle cx="{xy[j, 0]:.1f}" cy="{xy[j, 1]:.1f}" r="{radius[j]:.1f}"/>'
        f'<text x="{xy[j, 0]:.1f}" y="{xy[j, 1] + 4:.1f}">{j}</text></g>'
        for j in np.argsort(-prevalence)  # small circles drawn last, on top
    )
    first = int(np.argmax(prevalence))
    return f"""<div id="{vis_id}" class="tmap">
<style>
#{vis_id} {{font: 13px/1.35 system-ui, sans-serif; color: #222; display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start}}
#{vis_id} svg {{background: #fff; border: 1px solid #ddd}}
#{vis_id} .t circle {{fill: {_BAR}; fill-opacity: .35; stroke: {_BAR}; stroke-width: 1; cursor: pointer}}
#{vis_id} .t text {{font-size: 11px; text-anchor: middle; pointer-events: none; fill: #123}}
#{vis_id} .t.on circle {{fill: #c44e52; fill-opacity: .6; stroke: #c44e52}}
#{vis_id} .t:hover circle {{fill-opacity: .6}}
#{vis_id} .axis {{stroke: #bbb; stroke-dasharray: 3 3}}
#{vis_id} .cap {{font-size: 11px; fill: #666}}
#{vis_id} button {{font: inherit; margin-right: 4px}}
</style>
<div>
<div><b>Inter-topic distance map</b> (PCoA of Jensen–Shannon distances; circle area = share of {html.escape(source)})</div>
<svg class="map" width="{size:.0f}" height="{size:.0f}" viewBox="0 0 {size:.0f} {size:.0f}" role="img" aria-label="inter-topic distance map">
<line class="axis" x1="0" y1="{size / 2:.0f}" x2="{size:.0f}" y2="{size / 2:.0f}"/><line class="axis" x1="{size / 2:.0f}" y1="0" x2="{size / 2:.0f}" y2="{size:.0f}"/>
<text class="cap" x="{size - 6:.0f}" y="{size / 2 - 6:.0f}" text-anchor="end">PC1</text><text class="cap" x="{size / 2 + 6:.0f}" y="14">PC2</text>
{circles}
</svg>
<div><button data-step="-1">◀ previous</button><button data-step="1">next ▶</button> click a circle to select a topic</div>
</div>
<div><div class="head"></div><svg class="words" width="440" height="{n_words * 15 + 46}" viewBox="0 0 440 {n_words * 15 + 46}"></svg></div>
<script>(function(){{
var topics = {_script_safe(json.dumps(topics))};
var root = document.getElementById("{vis_id}"), NS = "http://www.w3.org/2000/svg", current = {first};
function el(name, attrs, text) {{
  var e = document.createElementNS(NS, name);
  for (var a in attrs) e.setAttribute(a, attrs[a]);
  if (text !== undefined) e.textContent = text;
  return e;
}}
function select(k) {{
  current = (k + topics.length) % topics.length;
  var t = topics[current];
  root.querySelectorAll(".t").forEach(function(g) {{ g.classList.toggle("on", +g.dataset.k === current); }});
  root.querySelector(".head").innerHTML = "";
  var b = document.createElement("b");
  b.textContent = "Topic " + t.label + ": " + (100 * t.share).toFixed(1) + "% of tokens, top " + t.words.length + " words";
  root.querySelector(".head").appendChild(b);
  var svg = root.querySelector("svg.words"), x0 = 130, w = 290;
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  var max = Math.max.apply(null, t.words.map(function(r) {{ return Math.max(r[1], r[2]); }}));
  t.words.forEach(function(r, i) {{
    var y = 8 + i * 15;
    svg.appendChild(el("text", {{x: x0 - 6, y: y + 10, "text-anchor": "end", "font-size": 12}}, r[0]));
    svg.appendChild(el("rect", {{x: x0, y: y, width: w * r[2] / max, height: 12, fill: "#ccc"}}));
    svg.appendChild(el("rect", {{x: x0, y: y + 2, width: w * r[1] / max, height: 8, fill: "#c44e52"}}));
    var tip = el("title", {{}}, r[0] + ": P(word | topic) " + r[1].toFixed(4) + ", overall " + r[2].toFixed(4));
    svg.lastChild.appendChild(tip);
  }});
  var y = 8 + t.words.length * 15 + 18;
  svg.appendChild(el("rect", {{x: x0, y: y - 9, width: 12, height: 8, fill: "#c44e52"}}));
  svg.appendChild(el("text", {{x: x0 + 16, y: y, "font-size": 11}}, "P(word | topic)"));
  svg.appendChild(el("rect", {{x: x0 + 130, y: y - 10, width: 12, height: 12, fill: "#ccc"}}));
  svg.appendChild(el("text", {{x: x0 + 146, y: y, "font-size": 11}}, "P(word) in the corpus"));
}}
root.querySelectorAll(".t").forEach(function(g) {{
  g.addEventListener("click", function() {{ select(+g.dataset.k); }});
  g.addEventListener("keydown", function(e) {{ if (e.key === "Enter") select(+g.dataset.k); }});
}});
root.querySelectorAll("button").forEach(function(b) {{
  b.addEventListener("click", function() {{ select(current + +b.dataset.step); }});
}});
select(current);
}})();</script>
</div>"""
