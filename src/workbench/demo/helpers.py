"""Small numeric helpers shared by the generator's steps: the independent random stream of each
part, binomial and multinomial draws by inversion, a Beta draw by its mean, logit/expit,
z-scores, the pupil ability → mark model, and decoding integer codes into a string column.

Why inversion: a draw whose probabilities depend on the programme effect must consume the same
random numbers whatever the effect is. numpy's binomial (and multinomial, built on it) is a
rejection sampler for large n·p whose consumption depends on p, so one changed probability
would shift every later draw of its stream. `binomial_inv` and `multinomial_inv` take a fixed
number of uniforms per row and turn them into counts through the quantile function: the same
seed then gives the same counts wherever the probabilities are the same, and counts that move
with the probabilities (not a fresh draw) where they differ."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.special import ndtr
from scipy.stats import binom

# the parts of the generator, each with its own random stream (append new parts at the end)
PARTS = ("structure", "base_context", "coordinates", "true_results", "context_years", "names",
         "pupils", "vpr_pre", "selection", "vpr_post", "exams", "students", "programme",
         "monitoring", "risk_survey", "partnerships", "plan")


def part_rng(seed: int, part: str) -> np.random.Generator:
    """The random stream of one part of the generator: independent of every other part's, so a
    change of what one part draws (or of the programme effect) never shifts another part."""
    return np.random.default_rng([PARTS.index(part), int(seed)])


def binomial_inv(rng: np.random.Generator, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Binomial(n, p) draws by inversion: one uniform per element, whatever n and p are."""
    u = np.clip(rng.uniform(size=np.shape(n)), 1e-12, 1 - 1e-12)
    n = np.asarray(n)
    x = binom.ppf(u, n, np.clip(p, 0.0, 1.0))
    return np.clip(np.nan_to_num(x, nan=0.0), 0, n).astype(int)


def multinomial_inv(rng: np.random.Generator, n: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Multinomial(n, probs row) counts (shape (len(n), k)) as k − 1 conditional binomials
    drawn by inversion: a fixed number of uniforms per row."""
    n = np.asarray(n, dtype=int)
    k = probs.shape[1]
    counts = np.zeros((len(n), k), dtype=int)
    left_n = n.copy()
    left_p = np.ones(len(n))
    for j in range(k - 1):
        cond = np.where(left_p > 0, probs[:, j] / np.where(left_p > 0, left_p, 1.0), 0.0)
        counts[:, j] = binomial_inv(rng, left_n, np.clip(cond, 0.0, 1.0))
        left_n = left_n - counts[:, j]
        left_p = left_p - probs[:, j]
    counts[:, k - 1] = left_n
    return counts


def beta_by_mean(rng: np.random.Generator, mean: np.ndarray, conc: float) -> np.ndarray:
    """Beta draws with the given means (clipped to 0.001…0.999) and concentration."""
    mean = np.clip(mean, 1e-3, 1 - 1e-3)
    return rng.beta(mean * conc, (1 - mean) * conc)


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-3, 1 - 1e-3)
    return np.log(p / (1 - p))


def expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def zscore(x: np.ndarray) -> np.ndarray:
    """(x − mean) / SD, ignoring NaN (SD 0 → 1)."""
    sd = np.nanstd(x)
    return (x - np.nanmean(x)) / (sd if sd > 0 else 1.0)


def mark_probabilities(mu: np.ndarray, cuts: list[float]) -> np.ndarray:
    """P(mark = 2,3,4,5) for pupils with ability N(mu, 1) and the given cut points; shape (n, 4)."""
    c = np.asarray(cuts, dtype=float)
    cdf = ndtr(c[None, :] - np.asarray(mu, dtype=float)[:, None])
    p = np.diff(np.concatenate([np.zeros((len(cdf), 1)), cdf, np.ones((len(cdf), 1))], axis=1),
                axis=1)
    p = np.clip(p, 0, 1)
    return p / p.sum(axis=1, keepdims=True)


def str_from_codes(codes: np.ndarray, names: list[str] | np.ndarray) -> pd.api.extensions.ExtensionArray:
    """names[codes] as a pandas string array, fast (dictionary decode in pyarrow)."""
    arr = pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, dtype=np.int32)),
                                         pa.array([str(x) for x in names], type=pa.string()))
    return pd.array(arr.cast(pa.string()), dtype="str")
