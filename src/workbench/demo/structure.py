"""The region's structure: municipalities (city and rural districts) around a fictional
centre, schools allocated to them, the context type of each school (the clustering ground truth),
the tiny schools of the planted anomaly, school codes and coordinates, and the schools table."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.demo.names import municipality_names
from workbench.demo.params import DemoParams


@dataclass
class Structure:
    """Schools of the region in their final order (by municipality, then context type).

    `mun` has one row per municipality (municipality, kind, lat, lon, weight); the arrays have
    one entry per school: `mun_idx` (row of `mun`), `ctype` (context type 1..5), `tiny` (a tiny
    school with an extreme year), `basic` (no grades 10-11), `n_grades` (9 or 11), `school_id`
    (code «01MMNNN»), `mun_names` (its municipality)."""

    mun: pd.DataFrame
    mun_idx: np.ndarray
    ctype: np.ndarray
    tiny: np.ndarray
    basic: np.ndarray
    n_grades: np.ndarray
    school_id: np.ndarray
    mun_names: np.ndarray

    @property
    def n(self) -> int:
        return len(self.mun_idx)

    @property
    def t0(self) -> np.ndarray:
        """Context type as an index 0..4 into per-type parameter lists."""
        return self.ctype - 1


def municipalities(rng: np.random.Generator, n_mun: int, p: DemoParams) -> pd.DataFrame:
    """Municipalities with names, kind («city» / «district»), centre coordinates and a size weight."""
    n_city = max(1, int(round(p.share_city_municipalities * n_mun)))
    names, kinds = municipality_names(n_mun, n_city)
    # centres: the capital in the middle, others on a disk (~250 km), cities nearer the centre
    centre = np.array([58.45, 49.35])  # fictional centre of «Демонстрационный край»
    radius = np.sqrt(rng.uniform(0.02, 1.0, n_mun)) * 2.3
    radius[np.array(kinds) == "city"] *= 0.5
    radius[0] = 0.0
    angle = rng.uniform(0, 2 * np.pi, n_mun)
    lat = centre[0] + radius * np.cos(angle)
    lon = centre[1] + radius * np.sin(angle) / np.cos(np.radians(centre[0]))
    weight = rng.uniform(0.6, 1.4, n_mun)
    weight[0] *= 3.0  # the regional capital is the largest
    return pd.DataFrame({"municipality": names, "kind": kinds, "lat": lat, "lon": lon,
                         "weight": weight})


def allocate(n: int, weight: np.ndarray) -> np.ndarray:
    """Integer sizes summing to n, proportional to weight, at least 1 each (when n allows)."""
    w = weight / weight.sum()
    base = np.maximum(1, np.floor(w * n).astype(int)) if n >= len(w) else np.floor(w * n).astype(int)
    while base.sum() > n:
        base[np.argmax(base)] -= 1
    rem = n - base.sum()
    order = np.argsort(-(w * n - np.floor(w * n)), kind="stable")
    for k in range(rem):
        base[order[k % len(order)]] += 1
    return base


def _context_types(rng: np.random.Generator, is_city_mun: np.ndarray, p: DemoParams) -> np.ndarray:
    """Context type 1..5 of each school, drawn from the shares of its kind of municipality."""
    probs = np.where(is_city_mun[:, None], np.array(p.type_shares_city)[None, :],
                     np.array(p.type_shares_district)[None, :])
    probs = probs / probs.sum(axis=1, keepdims=True)
    u = rng.uniform(size=len(is_city_mun))
    ctype = 1 + (u[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
    return np.minimum(ctype, 5)


def _tiny_schools(rng: np.random.Generator, is_city_mun: np.ndarray, p: DemoParams) -> np.ndarray:
    """Indices of the tiny schools with extreme years, preferably in rural districts."""
    n = len(is_city_mun)
    n_tiny = int(min(p.n_tiny, max(2, n // 100))) if n >= 40 else 2
    cand = np.flatnonzero(~is_city_mun)
    if len(cand) < n_tiny:
        cand = np.arange(n)
    return np.sort(rng.choice(cand, size=n_tiny, replace=False))


def draw_structure(rng: np.random.Generator, n: int, n_mun: int, p: DemoParams) -> Structure:
    """Municipalities, the schools in them and their context types (see `Structure`)."""
    mun = municipalities(rng, n_mun, p)
    sizes = allocate(n, mun["weight"].to_numpy())
    mun_idx = np.repeat(np.arange(n_mun), sizes)
    is_city_mun = (mun["kind"].to_numpy() == "city")[mun_idx]
    ctype = _context_types(rng, is_city_mun, p)
    # tiny schools with extreme years: forced to small remote schools in rural districts
    tiny_idx = _tiny_schools(rng, is_city_mun, p)
    ctype[tiny_idx] = 5
    # order schools inside a municipality by type (gymnasiums first), stable
    order = np.lexsort((ctype, mun_idx))
    mun_idx, ctype = mun_idx[order], ctype[order]
    tiny = np.isin(order, tiny_idx)
    basic = (ctype == 5) | ((ctype == 4) & (rng.uniform(size=n) < 0.25))  # no grades 10-11
    return Structure(mun=mun, mun_idx=mun_idx, ctype=ctype, tiny=tiny, basic=basic,
                     n_grades=np.where(basic, 9, 11), school_id=school_ids(mun_idx, n_mun),
                     mun_names=mun["municipality"].to_numpy()[mun_idx])


def school_coordinates(rng: np.random.Generator, st: Structure,
                       distance_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude of each school: `distance_km` from its municipality's centre."""
    ang = rng.uniform(0, 2 * np.pi, len(st.mun_idx))
    lat0 = st.mun["lat"].to_numpy()[st.mun_idx]
    lon0 = st.mun["lon"].to_numpy()[st.mun_idx]
    latitude = np.round(lat0 + distance_km * np.cos(ang) / 111.0, 5)
    longitude = np.round(lon0 + distance_km * np.sin(ang) / (111.0 * np.cos(np.radians(lat0))), 5)
    return latitude, longitude


def school_ids(mun_idx: np.ndarray, n_mun: int) -> np.ndarray:
    """Seven-digit-or-longer codes «01» + municipality (2 digits) + number within it."""
    within = np.zeros(len(mun_idx), int)
    for m in range(n_mun):
        sel = mun_idx == m
        within[sel] = np.arange(1, sel.sum() + 1)
    width = max(3, len(str(int(within.max()))))
    return np.array([f"01{m + 1:02d}{k:0{width}d}" for m, k in zip(mun_idx, within)])


def schools_table(st: Structure, names: list[str], kinds: list[str], latitude: np.ndarray,
                  longitude: np.ndarray, base: dict[str, np.ndarray]) -> pd.DataFrame:
    """The canonical `schools` table (locality and «малокомплектная» from the base context)."""
    return pd.DataFrame({
        "school_id": st.school_id, "school_name": names, "municipality": st.mun_names,
        "locality": np.where(base["is_rural"] > 0, "село", "город"), "school_type": kinds,
        "latitude": latitude, "longitude": longitude,
        "is_small": (st.ctype == 5) | (base["n_students"] < 100)})
