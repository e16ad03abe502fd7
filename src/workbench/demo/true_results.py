"""The true result of a school × year without the programme (SD units, region mean 0):
context effect (more adverse → lower, a bonus for gymnasiums) + latent quality (school random
effect, near 0 for tiny schools) + a small yearly random walk. The programme effect is added
once participants are known (`workbench.demo.programme`)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.demo.helpers import zscore
from workbench.demo.params import DemoParams
from workbench.demo.structure import Structure


@dataclass
class TrueResults:
    """Per school: `adverse` index, `context_effect`, `latent` quality; `true0` school × year."""

    adverse: np.ndarray
    context_effect: np.ndarray
    latent: np.ndarray
    true0: np.ndarray


def draw_true_results(rng: np.random.Generator, st: Structure, adverse: np.ndarray, ny: int,
                      p: DemoParams) -> TrueResults:
    """Context effect, latent quality and the yearly random walk (see the module docstring)."""
    n = st.n
    context_effect = -p.context_sd * zscore(adverse) + p.gymnasium_bonus * (st.ctype == 1)
    latent = rng.normal(0, p.quality_sd, n)
    latent[st.tiny] = rng.normal(0, 0.05, st.tiny.sum())
    context_effect = context_effect - np.mean(context_effect)  # region mean of baseline = 0
    latent = latent - np.mean(latent)
    drift = np.cumsum(rng.normal(0, p.drift_sd, (n, ny)), axis=1)
    drift -= drift[:, :1]
    true0 = (context_effect + latent)[:, None] + drift  # without the programme
    return TrueResults(adverse=adverse, context_effect=context_effect, latent=latent, true0=true0)
