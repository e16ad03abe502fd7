"""A small synthetic region for the identify tests: latent quality and context, ВПР mark counts
and ОГЭ scores (fast; the demo region is the session fixture `demo600`)."""
from __future__ import annotations

import numpy as np
import pandas as pd


def synth_region(n_schools=120, years=(2021, 2022, 2023, 2024), seed=7, with_exams=True):
    """Small synthetic region: latent quality + context, ВПР mark counts and ОГЭ scores."""
    rng = np.random.default_rng(seed)
    sid = [f"S{i:03d}" for i in range(n_schools)]
    size = rng.choice([12, 20, 35], n_schools)
    soc = rng.normal(size=n_schools)
    q = 0.4 * soc + rng.normal(scale=0.5, size=n_schools)
    rows, ctx = [], []
    for y in years:
        for i, s in enumerate(sid):
            ctx.append({"school_id": s, "year": y, "share_low_income": 1 / (1 + np.exp(soc[i] + 1)),
                        "distance_km": float(np.exp(1 - 0.5 * soc[i]))})
            procs = [("ВПР", (4, 5, 6))] + ([("ОГЭ", (9,))] if with_exams else [])
            for proc, grades in procs:
                for subj in ("Математика", "Русский язык"):
                    for g in grades:
                        n = max(2, int(rng.poisson(size[i])))
                        lat = 0.8 * q[i] + rng.normal(size=n)
                        if proc == "ВПР":
                            marks = np.digitize(lat, [-1.1, 0.0, 1.0]) + 2
                            c = [int((marks == k).sum()) for k in (2, 3, 4, 5)]
                            rows.append({"school_id": s, "year": y, "procedure": proc, "subject": subj,
                                         "grade": g, "n_participants": n, "n_mark2": c[0],
                                         "n_mark3": c[1], "n_mark4": c[2], "n_mark5": c[3],
                                         "n_low": c[0], "share_low": c[0] / n})
                        else:
                            sc = 15 + 5 * lat
                            rows.append({"school_id": s, "year": y, "procedure": proc, "subject": subj,
                                         "grade": g, "n_participants": n, "mean_score": sc.mean(),
                                         "sd_score": sc.std(ddof=1), "n_low": int((sc < 8).sum()),
                                         "share_low": float((sc < 8).mean())})
    schools = pd.DataFrame({"school_id": sid, "school_name": [f"Школа № {i}" for i in range(n_schools)],
                            "municipality": [f"Район {i % 4}" for i in range(n_schools)]})
    return pd.DataFrame(rows), pd.DataFrame(ctx), schools, pd.Series(q, index=sid)

