"""Themes: what the classifier tags, with the seed terms that define them.

A taxonomy is a TOML file of ``[[theme]]`` tables (see ``topics/data/taxonomy.toml``,
the default shipped with the toolkit). It is plain data: matching terms against
text is the classifier's job (:mod:`topics.classify`).
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

__all__ = ["Theme", "Taxonomy", "TaxonomyError", "ProximityCue", "load_taxonomy", "default_taxonomy"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class TaxonomyError(ValueError):
    """A taxonomy file is missing, malformed or inconsistent (the message names the file and theme)."""


@dataclass(frozen=True)
class ProximityCue:
    """A term from ``a`` within ``window`` words of a term from ``b`` is evidence of ``weight``
    (a seed term weighs 1)."""

    a: tuple[str, ...]
    b: tuple[str, ...]
    window: int = 8
    weight: float = 1.0


@dataclass(frozen=True)
class Theme:
    """One theme: a machine name, a human label, and the terms that evidence it."""

    name: str
    label: str
    description: str = ""
    seeds: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    pairs: tuple[ProximityCue, ...] = ()
    iptc: str | None = None
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    """An ordered collection of themes, loaded from a TOML file."""

    themes: tuple[Theme, ...]
    source: str = "<memory>"
    names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(t.name for t in self.themes))

    def __len__(self) -> int:
        return len(self.themes)

    def __iter__(self):
        return iter(self.themes)

    def __getitem__(self, name: str) -> Theme:
        for theme in self.themes:
            if theme.name == name:
                return theme
        raise KeyError(name)

    def resolve(self, label: str) -> str | None:
        """The theme a label names, or None: its name or its label, in any case, with spaces,
        hyphens, underscores and "&" alike and British spellings folded ("Security",
        "Defence Trade", "defense_trade", "Tourism & travel" all name their theme), or its
        IPTC code. Folders and label fields name themes as people write them."""
        aliases = self._aliases
        return aliases.get(label) or aliases.get(label_key(label))

    @cached_property
    def _aliases(self) -> dict[str, str]:
        aliases = {}
        for theme in reversed(self.themes):  # the first theme wins a shared key
            aliases[label_key(theme.label)] = theme.name
            if theme.iptc:
                aliases[theme.iptc] = theme.name
        for theme in reversed(self.themes):  # names before labels
            aliases[label_key(theme.name)] = theme.name
        return aliases

    def with_names(self, names: list[str]) -> Taxonomy:
        """A taxonomy for ``names`` (e.g. labels of a corpus): known themes keep their
        definition, unknown ones get a bare theme labelled with their name."""
        known = {t.name: t for t in self.themes}
        return Taxonomy(tuple(known.get(n, Theme(name=n, label=n)) for n in names), source=self.source)


_BRITISH = {"defence": "defense", "organisation": "organization", "programme": "program"}


def label_key(label: str) -> str:
    """A label as :meth:`Taxonomy.resolve` compares it: lowercase words joined by "-", "and"
    and "&" dropped, British spellings folded ("Defence & Trade" → "defense-trade")."""
    words = [_BRITISH.get(w, w) for w in re.findall(r"[a-z0-9]+", label.lower()) if w != "and"]
    return "-".join(words)


def _terms(table: dict, key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TaxonomyError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(dict.fromkeys(v.strip() for v in value))  # de-duplicated, order kept


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Read and validate a taxonomy TOML file.

    Raises
    ------
    TaxonomyError
        If the file is missing or not valid TOML, or a theme lacks a valid
        ``name`` or ``label``, or names repeat.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TaxonomyError(f"{path}: no such taxonomy file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{path}: not a valid TOML file ({exc})") from None
    return _parse(data, str(path))


def _parse(data: dict, source: str) -> Taxonomy:
    tables = data.get("theme")
    if not isinstance(tables, list) or not tables:
        raise TaxonomyError(f"{source}: no [[theme]] tables found")
    themes: list[Theme] = []
    for i, table in enumerate(tables, 1):
        where = f"{source}: theme #{i}"
        if not isinstance(table, dict):
            raise TaxonomyError(f"{where}: each theme must be a table ([[theme]]), got {type(table).__name__}")
        name = table.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise TaxonomyError(f"{where}: 'name' must be lowercase letters, digits and hyphens, got {name!r}")
        where = f"{source}: theme '{name}'"
        label = table.get("label", name)
        if not isinstance(label, str):
            raise TaxonomyError(f"{where}: 'label' must be a string")
        pairs = []
        cues = table.get("pairs", [])
        if not isinstance(cues, list) or not all(isinstance(cue, dict) for cue in cues):
            raise TaxonomyError(
                f"{where}: 'pairs' must be tables ([[theme.pairs]]) with 'a', 'b' and an optional 'window'"
            )
        for cue in cues:
            window = cue.get("window", 8)
            if not isinstance(window, int) or window < 1:
                raise TaxonomyError(f"{where}: pairs 'window' must be a positive integer")
            weight = cue.get("weight", 1.0)
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 < weight < math.inf:
                raise TaxonomyError(f"{where}: pairs 'weight' must be a positive finite number, got {weight!r}")
            a, b = _terms(cue, "a", where), _terms(cue, "b", where)
            if not a or not b:
                raise TaxonomyError(f"{where}: pairs need terms in both 'a' and 'b' (a term of 'a' near a term of 'b')")
            pairs.append(ProximityCue(a, b, window, float(weight)))
        themes.append(
            Theme(
                name=name,
                label=label,
                description=str(table.get("description", "")),
                seeds=_terms(table, "seeds", where),
                related=_terms(table, "related", where),
                exclude=_terms(table, "exclude", where),
                pairs=tuple(pairs),
                iptc=table.get("iptc"),
                examples=_terms(table, "examples", where),
            )
        )
    names = [t.name for t in themes]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise TaxonomyError(f"{source}: theme names repeat: {', '.join(dupes)}")
    return Taxonomy(tuple(themes), source=source)


def default_taxonomy() -> Taxonomy:
    """The taxonomy shipped with the toolkit (``topics/data/taxonomy.toml``)."""
    text = resources.files("topics").joinpath("data/taxonomy.toml").read_text(encoding="utf-8")
    return _parse(tomllib.loads(text), "topics:default-taxonomy")
