"""The generator's ground truth, for tests and benchmarks (never an input of the params file):
per school (context type, context effect, latent quality, planted anomalies, participation),
per school × year (true result, the noise-free bottom 10%, treated) and the region's meta; and
writing them as ground_truth.csv, ground_truth_years.csv and ground_truth.json."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.demo.files import write_csv
from workbench.demo.params import CONTEXT_TYPE_NAMES, REGION_NAME, DemoRegion
from workbench.demo.programme import Selection, Timing
from workbench.demo.pupils import PupilModel
from workbench.demo.structure import Structure
from workbench.demo.true_results import TrueResults


def truth_per_school(st: Structure, tr: TrueResults, pm: PupilModel, sel: Selection) -> pd.DataFrame:
    """One row per school; `extreme_year` and `participation_year` are empty where not applicable."""
    truth = pd.DataFrame({
        "school_id": st.school_id, "municipality": st.mun_names,
        "context_type": st.ctype.astype("int64"),
        "context_type_name": [CONTEXT_TYPE_NAMES[int(t)] for t in st.ctype],
        "context_effect": np.round(tr.context_effect, 6), "latent_quality": np.round(tr.latent, 6),
        "inflated_vpr": pm.inflated, "tiny_extreme": st.tiny,
        "extreme_year": pd.array(np.where(st.tiny, pm.extreme_year, -1), dtype="Int64"),
        "participant": sel.participant,
        "participation_year": pd.array(np.where(sel.participant, sel.part_year, -1), dtype="Int64")})
    truth.loc[~truth["tiny_extreme"], "extreme_year"] = pd.NA
    truth.loc[~truth["participant"], "participation_year"] = pd.NA
    return truth


def truth_per_year(school_id: np.ndarray, years: tuple[int, ...], true: np.ndarray,
                   treated: np.ndarray) -> pd.DataFrame:
    """School × year: true_result, true_low (bottom 10% of the year, ties by order), treated."""
    n, ny = true.shape
    ty = pd.DataFrame({"school_id": np.repeat(school_id, ny), "year": np.tile(np.array(years), n),
                       "true_result": np.round(true.reshape(-1), 6)})
    rank = ty.groupby("year")["true_result"].rank(method="first")
    cut_n = ty.groupby("year")["true_result"].transform("size") * 0.10
    ty["true_low"] = (rank <= np.floor(cut_n)).to_numpy()
    ty["treated"] = treated.reshape(-1)
    return ty


def region_meta(seed: int, n_mun: int, programme_effect: float, timing: Timing, sel: Selection,
                pm: PupilModel, missing_waves: list[tuple[str, int, str, str]]) -> dict[str, Any]:
    """`DemoRegion.meta` (its key order is the order of ground_truth.json)."""
    return {
        "region": REGION_NAME, "seed": int(seed), "n_schools": len(sel.participant),
        "n_municipalities": int(n_mun), "programme_effect": float(programme_effect),
        "years": list(timing.years),
        "programme_start_year": int(timing.start) if timing.start is not None else None,
        "context_types": {str(k): v for k, v in CONTEXT_TYPE_NAMES.items()},
        "missing_waves": missing_waves,
        "n_participants": int(sel.participant.sum()), "n_inflated_vpr": int(pm.inflated.sum()),
        "n_tiny_extreme": int(pm.tiny.sum()),
    }


def write_ground_truth(region: DemoRegion, out_dir: Path, files: dict[str, Path],
                       results_format: str) -> dict[str, Path]:
    """Write the three ground-truth files; ground_truth.json holds the meta, the results format
    and the names of `files` and of these three. Returns the new files (name → path)."""
    new = {"ground_truth": out_dir / "ground_truth.csv",
           "ground_truth_years": out_dir / "ground_truth_years.csv",
           "ground_truth_json": out_dir / "ground_truth.json"}
    write_csv(region.truth, new["ground_truth"])
    write_csv(region.truth_years, new["ground_truth_years"])
    meta = {**region.meta, "results_format": results_format,
            "files": {k: p.name for k, p in {**files, **new}.items()}}
    new["ground_truth_json"].write_text(json.dumps(meta, ensure_ascii=False, indent=1),
                                        encoding="utf-8")
    return new
