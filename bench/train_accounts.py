"""Fit the audience-account checker's weights and measure it across data sets.

    python -m bench.train_accounts            # fit on every set, print the cross-dataset table
    python -m bench.train_accounts --write    # ... and write the fitted weights to accounts_model.json

The model is a logistic regression over the signals of server.scoring.accounts.signals (0/1 flags and
one follow-ratio number), with an L2 penalty, fitted by Newton's method in plain Python (17 numbers,
~1,700 rows: no numerical library needed). Each (data set, class) group weighs the same in the fit,
so 519 bought X accounts do not drown 98 Instagram fakes, and the decision line sits where the
balanced accuracy is measured. The platform lines and the batch rule are not fitted: they come from
the model file as written by hand (see docs/scoring.md).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import random
from collections.abc import Iterable

from bench.accounts_data import Sample, load_all
from server.scoring import accounts

L2 = 1.0
# A real account flagged costs this many missed fakes: a false alarm makes a clean audience look
# bought (with 10% of accounts flagged wrongly, every audience reads at least ~10% fake).
REAL_COST = 2.0
# The direction each signal can push, from what it means (a missing picture never makes an account
# look more real). A signal the data push the other way is dropped (weight 0) and the rest refitted:
# such a pull comes from who happens to be in a set (new sign-ups following a developer account
# have no picture yet), and a reason that reads "no profile picture (-1.1)" would mislead.
SIGNS = {"verified": -1, "no_posts": 1, "few_posts": 1, "active": -1, "no_picture": 1, "mass_following": 1,
         "follow_ratio": 1, "popular": -1, "few_followers": 1, "digits": 1, "lookalike": 1, "empty_bio": 1,
         "bio": -1, "fast_posting": 1, "new_account": 1, "batch": 1}


def rows_of(samples: Iterable[Sample], model: dict) -> list[tuple[str, str, dict[str, float], bool]]:
    """(data set, platform, {feature: value}, is_fake) per account, as check() would see them."""
    out = []
    for s in samples:
        window = model["batch"]["window_days"]
        for account, batch, label in zip(s.accounts, accounts.batches(s.accounts, window), s.labels, strict=True):
            platform = accounts.platform_of(account.get("platform") or s.platform, model)
            found = accounts.signals(account, platform=platform, now=accounts.to_datetime(s.now), batch=batch,
                                     model=model)
            out.append((s.dataset, platform, {name: value for name, value, _ in found}, label))
    return out


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (a small, positive definite system)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[piv] = m[piv], m[col]
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            if f:
                for c in range(col, n + 1):
                    m[r][c] -= f * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


def fit(rows: list[tuple[str, str, dict[str, float], bool]], l2: float = L2) -> tuple[float, dict[str, float]]:
    """(intercept, {feature: weight}): L2-penalised logistic regression, groups weighed equally, each
    weight of the sign SIGNS gives it (the wrong-signed ones dropped one at a time, the rest refitted)."""
    dropped: set[str] = set()
    while True:
        intercept, weights = _fit(rows, [n for n in accounts.FEATURES if n not in dropped], l2)
        wrong = [n for n, w in weights.items() if w * SIGNS[n] < 0]
        if not wrong:
            return intercept, {n: weights.get(n, 0.0) for n in accounts.FEATURES}
        dropped.add(max(wrong, key=lambda n: abs(weights[n])))


def _fit(rows: list[tuple[str, str, dict[str, float], bool]], names: list[str], l2: float) -> tuple[float, dict[str, float]]:
    groups: dict[tuple[str, bool], int] = {}
    for dataset, _, _, label in rows:
        groups[(dataset, label)] = groups.get((dataset, label), 0) + 1
    scale = len(rows) / len(groups)
    data = [([1.0] + [feats.get(n, 0.0) for n in names], 1.0 if label else 0.0,
             scale / groups[(dataset, label)] * (1.0 if label else REAL_COST)) for dataset, _, feats, label in rows]
    k = len(names) + 1
    sparse = [([(i, v) for i, v in enumerate(x) if v], y, w) for x, y, w in data]
    beta = [0.0] * k
    for _ in range(50):
        grad = [0.0] * k
        hess = [[0.0] * k for _ in range(k)]
        for nz, y, w in sparse:
            z = sum(beta[i] * v for i, v in nz)
            p = 1 / (1 + math.exp(-max(min(z, 35), -35)))
            g, h = w * (p - y), w * p * (1 - p)
            for i, vi in nz:
                grad[i] += g * vi
                row = hess[i]
                for j, vj in nz:
                    row[j] += h * vi * vj
        for i in range(1, k):  # the intercept is not penalised
            grad[i] += l2 * beta[i]
            hess[i][i] += l2
        hess[0][0] += 1e-9
        step = _solve(hess, grad)
        beta = [b - s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return beta[0], {n: round(b, 3) for n, b in zip(names, beta[1:], strict=True)}


def fit_models(rows: list[tuple[str, str, dict[str, float], bool]], base: dict, l2: float = L2) -> dict:
    """A copy of the model file with its fitted models: one per platform with labelled rows of both
    classes, and `pooled` over every row (for platforms without labelled data)."""
    out = copy.deepcopy(base)
    out["models"] = {}
    for name in {m["model"] for m in base["platforms"].values()}:
        part = rows if name == "pooled" else [r for r in rows if r[1] == name]
        if len({r[3] for r in part}) < 2:
            part = rows  # no labelled data of both classes for this platform: fall back on every row
        intercept, weights = fit(part, l2)
        out["models"][name] = {"intercept": round(intercept, 3), "weights": weights, "accounts": len(part),
                               "fake": sum(r[3] for r in part)}
    return out


def only(model: dict, name: str) -> dict:
    """The same model file with every platform judged by one fitted model (to carry rules across)."""
    out = copy.deepcopy(model)
    out["models"] = {k: model["models"][name] for k in model["models"]}
    return out


def measure(samples: list[Sample], model: dict, keep: set[tuple[int, int]] | None = None) -> dict[str, dict]:
    """Per data set: accounts, fakes and how many of each class the model flags, checked a whole sample
    at a time as the CLI does (the batch signal needs the sample); `keep` limits the count to
    (sample index, account index) pairs."""
    out: dict[str, dict] = {}
    for si, s in enumerate(samples):
        got = accounts.check_sample(s.accounts, now=s.now, platform=s.platform, model=model)["accounts"]
        m = out.setdefault(s.dataset, {"platform": s.platform, "n": 0, "fake": 0, "tp": 0, "fp": 0})
        for ai, (r, label) in enumerate(zip(got, s.labels, strict=True)):
            if keep is not None and (si, ai) not in keep:
                continue
            m["n"] += 1
            m["fake"] += label
            m["tp"] += r["is_fake"] and label
            m["fp"] += r["is_fake"] and not label
    return out


def _merge(into: dict[str, dict], part: dict[str, dict]) -> None:
    for k, m in part.items():
        t = into.setdefault(k, {"platform": m["platform"], "n": 0, "fake": 0, "tp": 0, "fp": 0})
        for key in ("n", "fake", "tp", "fp"):
            t[key] += m[key]


def cross_validate(samples: list[Sample], base: dict, folds: int = 5, l2: float = L2) -> dict[str, dict]:
    """k-fold cross-validation of the shipped recipe: each account measured by models fitted without it."""
    index = [(si, ai) for si, s in enumerate(samples) for ai in range(len(s.accounts))]
    random.Random(0).shuffle(index)
    rows = rows_of(samples, base)
    flat = {(si, ai): n for n, (si, ai) in enumerate((si, ai) for si, s in enumerate(samples)
                                                     for ai in range(len(s.accounts)))}
    total: dict[str, dict] = {}
    for k in range(folds):
        held = set(index[k::folds])
        model = fit_models([rows[flat[i]] for i in index if i not in held], base, l2)
        _merge(total, measure(samples, model, held))
    return total


def rates(m: dict) -> dict:
    """recall (fakes flagged) and FPR (real accounts flagged), None where the class is absent."""
    real = m["n"] - m["fake"]
    return {"recall": m["tp"] / m["fake"] if m["fake"] else None, "fpr": m["fp"] / real if real else None}


def platform_table(measured: dict[str, dict]) -> dict[str, dict]:
    """Per platform: recall, FPR and balanced accuracy over every set of that platform."""
    out: dict[str, dict] = {}
    for m in measured.values():
        t = out.setdefault(m["platform"], {"n": 0, "fake": 0, "tp": 0, "fp": 0})
        for key in t:
            t[key] += m[key]
    for t in out.values():
        t.update(rates(t))
        t["balanced_accuracy"] = ((t["recall"] + 1 - t["fpr"]) / 2
                                  if t["recall"] is not None and t["fpr"] is not None else None)
    return out


def experiments(sets: dict[str, list[Sample]], base: dict, l2: float = L2) -> tuple[list[dict], dict]:
    """The cross-dataset rows (fit on A, measure on B), cross-validation, and the shipped model."""
    ig, xb, xr = sets["srf-instagram"], sets["x-bought"], sets["x-real"]
    everything = ig + xb + xr
    shipped = fit_models(rows_of(everything, base), base, l2)
    ig_model = fit_models(rows_of(ig, base), base, l2)
    x_model = fit_models(rows_of(xb + xr, base), base, l2)
    no_bought = fit_models(rows_of(ig + xr, base), base, l2)
    plan = [("SRF Instagram", "X bought + X real (the Instagram model on X)", measure(xb + xr, only(ig_model, "instagram"))),
            ("X bought + X real", "SRF Instagram (the X model on Instagram)", measure(ig, only(x_model, "x"))),
            ("SRF Instagram + X real", "X bought (no bought account seen)", measure(xb, no_bought)),
            ("all three, per platform", "all three, 5-fold cross-validation", cross_validate(everything, base, 5, l2)),
            ("all three, per platform (shipped)", "all three (in-sample)", measure(everything, shipped))]
    out = [{"fit_on": a, "measured_on": b, "sets": {k: dict(v, **rates(v)) for k, v in m.items()},
            "platforms": platform_table(m)} for a, b, m in plan]
    return out, shipped


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def table(results: list[dict]) -> str:
    lines = ["| fit on | measured on | platform | accounts (fake) | recall | FPR | balanced accuracy |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        for platform, t in sorted(r["platforms"].items()):
            lines.append(f"| {r['fit_on']} | {r['measured_on']} | {platform} | {t['n']} ({t['fake']}) | "
                         f"{_fmt(t['recall'])} | {_fmt(t['fpr'])} | {_fmt(t['balanced_accuracy'])} |")
    return "\n".join(lines)


def weights_table(model: dict) -> str:
    names = sorted(model["models"])
    lines = ["| signal | " + " | ".join(names) + " |", "| --- |" + " --- |" * len(names)]
    lines.append("| (intercept) | " + " | ".join(f"{model['models'][n]['intercept']:+.2f}" for n in names) + " |")
    for f in accounts.FEATURES:
        lines.append(f"| {f} | " + " | ".join(f"{model['models'][n]['weights'].get(f, 0.0):+.2f}" for n in names) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="write the models fitted on every set to the model file")
    ap.add_argument("--l2", type=float, default=L2)
    args = ap.parse_args(argv)
    sets = load_all()
    missing = [k for k, v in sets.items() if not v]
    if missing:
        print(f"data sets missing under the shared folder: {', '.join(missing)}")
        return 1
    base = json.loads(accounts.MODEL_PATH.read_text(encoding="utf-8"))
    results, shipped = experiments(sets, base, args.l2)
    print(table(results))
    print("\nfitted weights (log-odds; 0 = dropped by the sign rule or no data):\n" + weights_table(shipped))
    if args.write:
        shipped["fit"] = {"by": "python -m bench.train_accounts --write", "l2": args.l2,
                          "accounts": {k: sum(len(s.accounts) for s in v) for k, v in sets.items()},
                          "groups_weighed_equally": True}
        accounts.MODEL_PATH.write_text(json.dumps(shipped, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {accounts.MODEL_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
