"""Language of comments and captions: a script check first, then py3langid's shipped model, in one batch.

Why this shape: py3langid ships its Naive Bayes model inside the wheel (no download at run time) and
covers 97 languages including CJK, Cyrillic, Thai and Arabic scripts. Classifying 200 comments one
call at a time costs ~30 ms (numpy overhead per call); scoring them in one batch costs a few ms,
which keeps a whole score inside the overlay's 20 ms budget. Scripts used by one language only
(Hangul, kana, Thai, Greek, Hebrew...) are decided without the model, and texts with too few letters
("lol", "🔥🔥") are left undetermined instead of guessed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from server.scoring.once import load_once

_URL = re.compile(r"https?://\S+|www\.\S+|[@#]\w[\w.]*", re.UNICODE)
# Latin-script letters counted to decide whether a text is long enough for the model.
_MIN_LETTERS = 12

# Scripts that name their language without a model (character ranges, checked in order).
_SCRIPT_LANG: tuple[tuple[str, str], ...] = (
    ("\u3040-\u30ff\u31f0-\u31ff", "ja"),   # kana: Japanese even when mixed with kanji
    ("\uac00-\ud7af\u1100-\u11ff\u3130-\u318f", "ko"),
    ("\u0e00-\u0e7f", "th"),
    ("\u0370-\u03ff", "el"),
    ("\u0590-\u05ff", "he"),
    ("\u10a0-\u10ff", "ka"),
    ("\u0530-\u058f", "hy"),
    ("\u1780-\u17ff", "km"),
    ("\u0e80-\u0eff", "lo"),
    ("\u1000-\u109f", "my"),
    ("\u0b80-\u0bff", "ta"),
    ("\u0c00-\u0c7f", "te"),
    ("\u0c80-\u0cff", "kn"),
    ("\u0d00-\u0d7f", "ml"),
    ("\u0a80-\u0aff", "gu"),
    ("\u0a00-\u0a7f", "pa"),
    ("\u0980-\u09ff", "bn"),
    ("\u0d80-\u0dff", "si"),
)
_SCRIPT_RES = tuple((re.compile(f"[{rng}]"), lang) for rng, lang in _SCRIPT_LANG)
_HAN = re.compile("[\u4e00-\u9fff\u3400-\u4dbf]")
# One pass tells whether any of those scripts is present at all (most texts: no).
_ANY_SCRIPT = re.compile("[" + "".join(rng for rng, _ in _SCRIPT_LANG) + "\u4e00-\u9fff\u3400-\u4dbf]")
# Long texts: their first bytes tell the language as well as the whole, at a fraction of the walk.
_MAX_CHARS = 240
# language_shares samples at most this many texts, spread evenly: a share needs no more, and the
# model's byte-by-byte walk is the slowest step of a score.
MAX_SAMPLE = 60
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
# Scripts the model must tell apart (Cyrillic: ru/uk/bg/sr...; Arabic: ar/fa/ur; Devanagari: hi/mr/ne).
_SHORT_OK = re.compile("[\u0400-\u04ff\u0600-\u06ff\u0900-\u097f]")



@load_once
def _identifier() -> Any:
    """py3langid's identifier with probabilities normalised (loaded once, ~1 s, on first use)."""
    # imported here, not at the top: py3langid brings numpy (~0.8 s), which scoring without comments
    # or captions, and every command but scoring, never needs
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def warm() -> None:
    """Load the model now (the server calls this at start so the first overlay is not slow)."""
    _identifier()


def _clean(text: str) -> str:
    return _URL.sub(" ", text).strip()


def _by_script(text: str) -> str | None:
    """The language a script alone decides, or None."""
    if not _ANY_SCRIPT.search(text):
        return None
    for rx, lang in _SCRIPT_RES:
        if rx.search(text):
            return lang
    if _HAN.search(text):
        return "zh"  # Han without kana: Chinese
    return None


def detect_many(texts: Iterable[str | None], min_confidence: float = 0.5) -> list[str | None]:
    """ISO 639-1 code (or None when too short or unsure) for each text, in order."""
    texts = [t if isinstance(t, str) else "" for t in texts]
    result: list[str | None] = [None] * len(texts)
    pending: dict[str, list[int]] = {}
    for i, raw in enumerate(texts):
        t = _clean(raw[: _MAX_CHARS * 2])[:_MAX_CHARS]
        if not t:
            continue
        lang = _by_script(t)
        if lang is not None:
            result[i] = lang
            continue
        letters = len(_LETTER.findall(t))
        if letters < _MIN_LETTERS and not (letters >= 4 and _SHORT_OK.search(t)):
            continue
        pending.setdefault(t, []).append(i)
    if pending:
        keys = list(pending)
        for key, lang in zip(keys, _classify_batch(keys, min_confidence)):
            for i in pending[key]:
                result[i] = lang
    return result


def _classify_batch(texts: list[str], min_confidence: float) -> list[str | None]:
    ident = _identifier()
    try:
        return _batch_scores(ident, texts, min_confidence)
    except AttributeError:
        # py3langid changed its internals: fall back to its public, slower per-text call
        out = []
        for t in texts:
            lang, conf = ident.classify(t)
            out.append(lang if conf >= min_confidence else None)
        return out


def _batch_scores(ident, texts: list[str], min_confidence: float) -> list[str | None]:
    """py3langid's own Naive Bayes scoring (same features, same temperature), for many texts at once."""
    # on use, as in _identifier: numpy only for the texts the model has to read
    import numpy as np
    from py3langid.langid import visit_counts

    nm, rowbase, out = ident.tk_nextmove, ident._rowbase, ident.tk_output
    keys: list[int] = []
    counts: list[int] = []
    sizes, lengths, which = [], [], []
    for n, t in enumerate(texts):
        data = ident._encode(t)
        visits = visit_counts(nm, rowbase, out, data)
        if not visits:
            continue
        keys.extend(visits.keys())
        counts.extend(visits.values())
        sizes.append(len(visits))
        lengths.append(len(data))
        which.append(n)
    answers: list[str | None] = [None] * len(texts)
    if not which:
        return answers
    # Per text: sum of log1p(count) x the model's row for each feature it has. Gathered rows and one
    # reduceat, all single-threaded ufuncs: a BLAS matrix product was as fast on an idle machine but
    # 5x slower on a busy one (OpenBLAS threads waiting for cores the server shares).
    idx = np.asarray(keys, dtype=np.intp)
    rows = ident.nb_ptc[idx].astype(np.float32)  # the model is float16; float32 sums faster and exactly enough
    rows *= np.log1p(np.asarray(counts, dtype=np.float32))[:, None]
    offsets = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    scores = np.add.reduceat(rows, offsets, axis=0) + ident.nb_pc
    scores *= (1.0 / np.sqrt(np.maximum(np.asarray(lengths, dtype=np.float32), 1.0)))[:, None]
    scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    scores /= scores.sum(axis=1, keepdims=True)
    for i, j in ident._alias_pairs:  # script aliases (srl->sr) share one label
        scores[:, i] += scores[:, j]
        scores[:, j] = 0.0
    best = scores.argmax(axis=1)
    classes = ident.nb_classes
    for row, n in enumerate(which):
        conf = float(scores[row, best[row]])
        if conf >= min_confidence and not math.isnan(conf):
            answers[n] = classes[int(best[row])]
    return answers


def language_shares(texts: Iterable[str | None]) -> tuple[dict[str, float], int]:
    """Share of each language among the texts whose language could be told, and how many could."""
    texts = [t for t in texts if isinstance(t, str) and t.strip()]
    if len(texts) > MAX_SAMPLE:
        step = len(texts) / MAX_SAMPLE
        texts = [texts[int(i * step)] for i in range(MAX_SAMPLE)]
    langs = [lang for lang in detect_many(texts) if lang]
    if not langs:
        return {}, 0
    counts = Counter(langs)
    return {lang: n / len(langs) for lang, n in counts.most_common()}, len(langs)


# Where a language is mostly spoken (ISO 3166 alpha-2): country fit inferred from audience language
# when the page states no country. Deliberately coarse; the reason says "inferred".
LANGUAGE_COUNTRIES: dict[str, tuple[str, ...]] = {
    "en": ("US", "GB", "CA", "AU", "IE", "NZ", "IN", "PH", "SG", "NG", "ZA", "KE", "MY", "PK"),
    "de": ("DE", "AT", "CH", "LI", "LU"), "fr": ("FR", "BE", "CH", "CA", "LU", "SN", "CI", "MA", "TN"),
    "es": ("ES", "MX", "AR", "CO", "CL", "PE", "VE", "EC", "GT", "CU", "BO", "DO", "HN", "PY", "SV",
           "NI", "CR", "PA", "UY", "PR", "US"),
    "pt": ("BR", "PT", "AO", "MZ"), "it": ("IT", "CH", "SM"), "nl": ("NL", "BE", "SR"),
    "ru": ("RU", "BY", "KZ", "KG", "UA"), "uk": ("UA",), "pl": ("PL",), "cs": ("CZ",), "sk": ("SK",),
    "tr": ("TR", "CY"), "ar": ("SA", "EG", "AE", "MA", "DZ", "IQ", "JO", "KW", "QA", "LB", "TN", "OM"),
    "fa": ("IR", "AF"), "ur": ("PK",), "hi": ("IN",), "bn": ("BD", "IN"), "ta": ("IN", "LK"),
    "te": ("IN",), "mr": ("IN",), "gu": ("IN",), "kn": ("IN",), "ml": ("IN",), "pa": ("IN", "PK"),
    "id": ("ID",), "ms": ("MY", "BN", "SG"), "vi": ("VN",), "th": ("TH",), "tl": ("PH",),
    "zh": ("CN", "TW", "HK", "SG", "MO"), "ja": ("JP",), "ko": ("KR",), "el": ("GR", "CY"),
    "he": ("IL",), "sv": ("SE", "FI"), "da": ("DK",), "nb": ("NO",), "no": ("NO",), "fi": ("FI",),
    "ro": ("RO", "MD"), "hu": ("HU",), "bg": ("BG",), "sr": ("RS", "BA", "ME"), "hr": ("HR", "BA"),
    "sl": ("SI",), "lt": ("LT",), "lv": ("LV",), "et": ("EE",), "ka": ("GE",), "hy": ("AM",),
    "az": ("AZ",), "kk": ("KZ",), "km": ("KH",), "lo": ("LA",), "my": ("MM",), "si": ("LK",),
    "sw": ("KE", "TZ", "UG"),
}
