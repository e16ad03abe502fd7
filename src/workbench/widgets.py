"""Interactive explorer over a finished run (JupyterLab) and seminar mode in Voilà (issue 7).

`load_run(run_dir_or_params)` reads `outputs/<run_id>/tables/*.parquet` into an `ExplorerData`;
`Explorer(data).widget` is an ipywidgets app: filters (year, municipality, cluster, category),
sliders for the identification thresholds that re-derive the lists live through
`workbench.identify.classify`, a scatter of social index against result index, a school card,
a monitoring view against cluster peers and the current list with an xlsx download.
`serve(...)` starts Voilà on `notebooks/explore.ipynb` on 127.0.0.1 with code hidden and no CDN.

All logic lives in small functions here (tested without a browser); the notebook only displays.
"""
from __future__ import annotations

import base64
import html
import io
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
from pydantic import Field

from workbench.canon import CATEGORIES, LISTED_CATEGORIES, MIN_CELL, WAVES, WAVES_RU, StrictModel, \
    WorkbenchError

RUN_DIR_ENV = "WORKBENCH_RUN_DIR"
ALL = "__all__"
LISTED = "__listed__"
APP_TITLE = "ШНОР: обозреватель результатов"
PRODUCED_TABLES = ["identification", "clusters", "cluster_profiles", "partners", "dynamics",
                   "risk_profiles", "list_changes", "exits", "schools"]


class ExplorerParams(StrictModel):
    """Settings of the explorer (display only; identification thresholds belong to identify)."""

    max_table_rows: int = Field(default=300, ge=10, description="rows shown in the list table")
    font_size_px: int = Field(default=18, ge=10, le=40, description="base font (projector)")
    chart_height_px: int = Field(default=560, ge=200)
    chart_width_px: int = Field(default=1150, ge=400, description="fixed: autosize fails in tabs")
    max_risks_in_card: int = Field(default=5, ge=1)
    server_start_timeout_s: float = Field(default=60.0, gt=0)


# ====================================================================== number formatting (ru)
def fmt_num(x: Any, digits: int = 2) -> str:
    """Russian number: decimal comma, real minus sign, «—» for missing."""
    if x is None or (isinstance(x, float) and not np.isfinite(x)) or pd.isna(x):
        return "—"
    s = f"{float(x):.{digits}f}".replace(".", ",")
    return s.replace("-", "\u2212")


def fmt_pct(x: Any, digits: int = 0) -> str:
    """Share in [0,1] as a Russian percentage («38%»)."""
    if x is None or pd.isna(x):
        return "—"
    return fmt_num(100 * float(x), digits) + "%"


def fmt_ci(low: Any, high: Any, digits: int = 2) -> str:
    """Interval «−1,90…−0,90»."""
    return f"{fmt_num(low, digits)}…{fmt_num(high, digits)}"


def _esc(x: Any) -> str:
    return html.escape("" if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x))


# ====================================================================== loading a run
@dataclass
class ExplorerData:
    """Everything the explorer shows, read once from a run folder."""

    run_dir: Path
    region: str
    identification: pd.DataFrame  # school × year, with school_name and municipality
    schools: pd.DataFrame
    clusters: pd.DataFrame = field(default_factory=pd.DataFrame)
    cluster_profiles: pd.DataFrame = field(default_factory=pd.DataFrame)
    partners: pd.DataFrame = field(default_factory=pd.DataFrame)
    dynamics: pd.DataFrame = field(default_factory=pd.DataFrame)
    risk_profiles: pd.DataFrame = field(default_factory=pd.DataFrame)
    identify_params: dict[str, Any] = field(default_factory=dict)  # as used by the run
    explorer_params: dict[str, Any] = field(default_factory=dict)  # params section `explorer`

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.identification["year"].dropna().unique())

    def passport_path(self, school_id: str) -> Path | None:
        """Path of the school's briefing passport when the run has one."""
        p = self.run_dir / "briefings" / "school" / f"{school_id}.html"
        return p if p.exists() else None


def resolve_run_dir(target: str | os.PathLike) -> Path:
    """A run folder from a run folder or a params file (→ outputs/<run_id> of those params).

    Raises WorkbenchError (Russian) when there is nothing to show yet.
    """
    p = Path(target)
    if p.suffix.lower() in (".yaml", ".yml"):
        from workbench.config import load_params

        params = load_params(p)
        run_dir = params.resolve("outputs") / params.run_id
        if not (run_dir / "tables" / "identification.parquet").exists():
            raise WorkbenchError(
                f"Результаты расчёта не найдены: {run_dir}. Сначала выполните расчёт: "
                f"workbench run {p}")
        return run_dir
    if not p.exists():
        raise WorkbenchError(f"Папка результатов не найдена: {p}. Укажите папку outputs/<run_id> "
                             "или файл параметров; сначала выполните workbench run.")
    if not (p / "tables" / "identification.parquet").exists():
        raise WorkbenchError(f"В папке {p} нет таблицы tables/identification.parquet: это не папка "
                             "завершённого расчёта. Сначала выполните workbench run.")
    return p


def _read(run_dir: Path, name: str) -> pd.DataFrame:
    p = run_dir / "tables" / f"{name}.parquet"
    return pd.read_parquet(p) if p.exists() else pd.DataFrame()


def _as_id(s: pd.Series) -> pd.Series:
    return s.astype(str)


def load_run(target: str | os.PathLike) -> ExplorerData:
    """Read a finished run (folder or params file) into ExplorerData.

    School names and municipalities come from `identification` when it has them, else from
    `tables/schools.parquet`; a school without a name is shown by its code.
    """
    run_dir = resolve_run_dir(target)
    tables = {name: _read(run_dir, name) for name in PRODUCED_TABLES}
    ident = tables["identification"].copy()
    for name, df in tables.items():
        if "school_id" in df.columns:
            df["school_id"] = _as_id(df["school_id"])
        if "partner_id" in df.columns:
            df["partner_id"] = df["partner_id"].astype("string")
    ident = tables["identification"]
    schools = tables["schools"]
    if schools.empty:
        cols = [c for c in ("school_id", "school_name", "municipality") if c in ident.columns]
        schools = ident[cols].drop_duplicates("school_id") if cols else pd.DataFrame()
    if "school_id" not in schools.columns:
        schools = pd.DataFrame({"school_id": ident["school_id"].unique()})
    for col, default in (("school_name", None), ("municipality", "не указан")):
        if col not in schools.columns:
            schools[col] = schools["school_id"] if default is None else default
    schools = schools.drop_duplicates("school_id").reset_index(drop=True)
    ident = ident.drop(columns=[c for c in ("school_name", "municipality") if c in ident.columns])
    ident = ident.merge(schools[["school_id", "school_name", "municipality"]], on="school_id",
                        how="left")
    ident["school_name"] = ident["school_name"].fillna(ident["school_id"])
    ident["municipality"] = ident["municipality"].fillna("не указан")
    ident["year"] = ident["year"].astype(int)
    if "category_ru" not in ident.columns and "category" in ident.columns:
        ident["category_ru"] = ident["category"].map(CATEGORIES)

    manifest_p = run_dir / "manifest.json"
    region, id_params, ex_params = "Регион", {}, {}
    if manifest_p.exists():
        try:
            manifest = json.loads(manifest_p.read_text(encoding="utf-8"))
            params = manifest.get("params") or {}
            region = params.get("region") or manifest.get("region") or region
            id_params = dict(params.get("identification") or {})
            ex_params = dict(params.get("explorer") or {})
        except (ValueError, AttributeError):
            pass
    return ExplorerData(run_dir=run_dir, region=str(region), identification=ident,
                        schools=schools, clusters=tables["clusters"],
                        cluster_profiles=tables["cluster_profiles"], partners=tables["partners"],
                        dynamics=tables["dynamics"], risk_profiles=tables["risk_profiles"],
                        identify_params=id_params, explorer_params=ex_params)


# ====================================================================== classify adapter
def identify_params_model() -> type[StrictModel]:
    """The params model whose fields the threshold sliders edit (identify's section model)."""
    from workbench.identify import IdentifyParams

    return IdentifyParams


def make_identify_params(values: dict[str, Any]) -> StrictModel:
    """Build identify params from a dict (e.g. the run's manifest), ignoring unknown keys."""
    model = identify_params_model()
    return model.model_validate({k: v for k, v in values.items() if k in model.model_fields})


def classify(identification: pd.DataFrame, params: StrictModel,
             years: list[int] | None = None) -> pd.DataFrame:
    """The one place that calls `workbench.identify.classify` (thin adapter): flags, categories
    and reasons re-derived from the precomputed indices with new thresholds; same rows.
    years: the years whose reasons are written (the explorer's year on screen); None = all."""
    from workbench import identify

    return _align(identification, identify.classify(identification, params,
                                                    reasons_years=years))


def _align(base: pd.DataFrame, out: pd.DataFrame) -> pd.DataFrame:
    """Put classify's columns back onto the base rows (a classify may return fewer columns)."""
    if len(out) == len(base) and out.index.equals(base.index) and \
            "school_name" in out.columns:
        res = out
    else:
        keep = [c for c in out.columns if c not in ("school_name", "municipality")]
        extra = base[["school_id", "year"] + [c for c in base.columns
                                              if c not in keep and c not in ("school_id", "year")]]
        o = out[keep].copy()
        o["school_id"] = o["school_id"].astype(str)
        o["year"] = o["year"].astype(int)
        res = extra.merge(o, on=["school_id", "year"], how="left")
        res = res.set_index(base.index)
    # category_ru always follows category (classify implementations may leave a stale label)
    return res.assign(category_ru=res["category"].map(CATEGORIES).fillna(res["category"]))


# ====================================================================== threshold sliders
@dataclass(frozen=True)
class SliderSpec:
    """A threshold slider: IdentifyParams field, Russian label, range (in the field's units).

    percent: a share (0–1) shown and typed in percent (0,12 → «12»): methodologists think of
    «нижние 12 %», and an integer readout needs no decimal separator."""

    name: str
    label: str
    min: float
    max: float
    step: float
    integer: bool = False
    readout: str = ".2f"
    percent: bool = False

    def to_slider(self, value: float) -> float:
        """A params value → the slider's value (percent for shares)."""
        return round(float(value) * 100, 6) if self.percent else value

    def from_slider(self, value: float) -> float:
        """The slider's value → the params value (rounded: 12 % is exactly 0.12)."""
        return round(float(value) / 100, 8) if self.percent else value


# Known threshold fields (names as in IdentifyParams; only those the model has are shown).
SLIDER_SPECS: list[SliderSpec] = [
    SliderSpec("bottom_share", "Доля «нижней группы», %", 0.02, 0.40, 0.01, percent=True),
    SliderSpec("persist_years", "Лет подряд с низкими результатами", 1, 5, 1, True),
    SliderSpec("min_n", "Минимум участников (чел.)", 1, 60, 1, True),
    SliderSpec("adverse_share", "Доля школ в НСУ (по соц. индексу), %", 0.05, 0.50, 0.01,
               percent=True),
    SliderSpec("adverse_quantile", "Доля школ в НСУ (по соц. индексу), %", 0.05, 0.50, 0.01,
               percent=True),
    SliderSpec("adverse_quartile", "Доля школ в НСУ (по соц. индексу), %", 0.05, 0.50, 0.01,
               percent=True),
    SliderSpec("top_share", "Доля «высоких результатов», %", 0.02, 0.40, 0.01, percent=True),
    SliderSpec("high_share", "Доля «высоких результатов», %", 0.02, 0.40, 0.01, percent=True),
    SliderSpec("resilient_percentile", "Резильентные: процентиль результатов не ниже", 50, 95, 1,
               readout=".0f"),
]


def slider_specs(model: type[StrictModel]) -> list[SliderSpec]:
    """The slider specs whose field exists (and is numeric) in the params model."""
    out = []
    for spec in SLIDER_SPECS:
        f = model.model_fields.get(spec.name)
        if f is not None and f.annotation in (int, float, "int", "float"):
            out.append(spec)
    return out


# ====================================================================== pure view functions
def filter_view(ident: pd.DataFrame, year: int | None, municipality: str = ALL,
                cluster: Any = ALL, clusters: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows of one year, optionally one municipality and one context cluster."""
    df = ident if year is None else ident[ident["year"] == year]
    if municipality != ALL:
        df = df[df["municipality"] == municipality]
    if cluster != ALL and clusters is not None and not clusters.empty:
        c = clusters[(clusters["year"] == year) & (clusters["cluster"] == cluster)]
        df = df[df["school_id"].isin(set(c["school_id"]))]
    return df


def filter_category(df: pd.DataFrame, category: str = LISTED) -> pd.DataFrame:
    """LISTED = the ШНОР list (both low-results categories), ALL, or one category code."""
    if category == ALL:
        return df
    if category == LISTED:
        return df[df["category"].isin(LISTED_CATEGORIES)]
    return df[df["category"] == category]


def category_counts(df: pd.DataFrame) -> dict[str, int]:
    """Number of schools per category code (every code present, zeros included)."""
    vc = df["category"].value_counts()
    return {c: int(vc.get(c, 0)) for c in CATEGORIES}


def list_table(df: pd.DataFrame) -> pd.DataFrame:
    """The current list with Russian headers, sorted by result index (worst first)."""
    d = df.sort_values(["result_index", "school_id"], na_position="last")
    small = d["n_pupils"] < MIN_CELL if "n_pupils" in d.columns else pd.Series(False, index=d.index)
    share_low = d["share_low"] if "share_low" in d.columns else pd.Series(np.nan, index=d.index)
    return pd.DataFrame({
        "Код ОО": d["school_id"].to_numpy(),
        "Наименование ОО": d["school_name"].to_numpy(),
        "Муниципалитет": d["municipality"].to_numpy(),
        "Категория": d["category_ru"].to_numpy(),
        "Индекс результатов": d["result_index"].round(2).to_numpy(),
        "95% ДИ": [fmt_ci(a, b) for a, b in zip(d["result_ci_low"], d["result_ci_high"])],
        "Доля «2»": ["<5 чел." if s else fmt_pct(v) for s, v in zip(small, share_low)],
        "Социальный индекс": d["social_index"].round(2).to_numpy(),
        "Число участников": (d["n_pupils"].round().astype("Int64").to_numpy()
                             if "n_pupils" in d.columns else np.nan),
        "Основания": d["reasons"].fillna("").to_numpy() if "reasons" in d.columns else "",
    })


def screen_table(table: pd.DataFrame) -> pd.DataFrame:
    """The on-screen (projector) version of `list_table`: fewer, merged columns."""
    if table.empty:
        return table
    return pd.DataFrame({
        "Код ОО": table["Код ОО"], "Наименование ОО": table["Наименование ОО"],
        "Муниципалитет": table["Муниципалитет"], "Категория": table["Категория"],
        "Индекс (95% ДИ)": [f"{fmt_num(i)} ({c})" for i, c in
                            zip(table["Индекс результатов"], table["95% ДИ"])],
        "Доля «2»": table["Доля «2»"], "Основания": table["Основания"]})


WRAP_COLUMNS = {"Наименование ОО": "wrap", "Муниципалитет": "wrap", "Категория": "wrap",
                "Основания": "wide"}


def table_html(table: pd.DataFrame, max_rows: int) -> str:
    """HTML of the list table (escaped), first max_rows rows."""
    if table.empty:
        return "<p class='wb-empty'>Нет школ, удовлетворяющих условиям.</p>"
    shown = table.head(max_rows)
    head = "".join(f"<th>{_esc(c)}</th>" for c in shown.columns)
    wrap = [WRAP_COLUMNS.get(c, "") for c in shown.columns]
    rows = []
    for rec in shown.itertuples(index=False):
        cells = []
        for v, w in zip(rec, wrap):
            if isinstance(v, (float, np.floating)):
                cells.append(f"<td class='num'>{fmt_num(v)}</td>")
            else:
                cells.append(f"<td{' class=' + w if w else ''}>{_esc(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = (f"<p>Показано {max_rows} из {len(table)}; полный список — в файле xlsx.</p>"
            if len(table) > max_rows else "")
    return (f"<div class='wb-table-wrap'><table class='wb-table'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>{more}")


def list_xlsx_bytes(table: pd.DataFrame, sheet: str = "Список") -> bytes:
    """The list table as an .xlsx file (Russian headers, widths, frozen header, autofilter)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter", engine_kwargs={"options": {
            "strings_to_formulas": False, "strings_to_urls": False}}) as xw:  # text stays text
        table.to_excel(xw, sheet_name=sheet[:31], index=False)
        ws = xw.sheets[sheet[:31]]
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(table), 1), len(table.columns) - 1)
        for i, col in enumerate(table.columns):
            width = max([len(str(col))] + [len(str(v)) for v in table[col].head(200)])
            ws.set_column(i, i, min(max(width + 2, 10), 80))
    return buf.getvalue()


def download_link_html(data: bytes, filename: str, label: str = "Скачать xlsx") -> str:
    """An <a download> link with the file as a base64 data URI (works offline, in Voilà too)."""
    b64 = base64.b64encode(data).decode("ascii")
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return (f"<a class='wb-download' download='{_esc(filename)}' "
            f"href='data:{mime};base64,{b64}'>{_esc(label)}: {_esc(filename)}</a>")


def school_card_html(data: ExplorerData, ident: pd.DataFrame, school_id: str, year: int,
                     max_risks: int = 5) -> str:
    """The school card: what its briefing passport says (category, reasons, interval, trend over
    years, cluster, risk profile, partner), built from the run's tables and the current
    classification `ident` (all years)."""
    rows = ident[ident["school_id"] == school_id].sort_values("year")
    if rows.empty:
        return f"<p>Школа {_esc(school_id)} не найдена.</p>"
    cur = rows[rows["year"] == year]
    r = (cur if not cur.empty else rows.tail(1)).iloc[0]
    year = int(r["year"])
    parts = [f"<h3>{_esc(r['school_name'])} <span class='wb-code'>(код {_esc(school_id)})</span></h3>",
             f"<p>{_esc(r['municipality'])} · {year}/{str(year + 1)[-2:]} уч. год</p>",
             f"<p class='wb-cat'>Категория: <b>{_esc(r['category_ru'])}</b></p>"]
    orig = data.identification.loc[(data.identification["school_id"] == school_id)
                                   & (data.identification["year"] == year), "category"]
    if len(orig) and "category" in r.index and orig.iloc[0] != r["category"]:
        parts.append("<p class='wb-note'>Категория изменена порогами обозревателя; в расчёте: "
                     f"{_esc(CATEGORIES.get(orig.iloc[0], orig.iloc[0]))}.</p>")
    reasons = r.get("reasons") if "reasons" in r.index else None
    reasons = "" if reasons is None or pd.isna(reasons) else str(reasons)
    if not reasons and r.get("category") in LISTED_CATEGORIES:
        reasons = ("индекс результатов в нижней группе региона при изменённых порогах: "
                   f"{fmt_num(r['result_index'])} (95% ДИ "
                   f"{fmt_ci(r['result_ci_low'], r['result_ci_high'])})")
    if reasons:
        items = "".join(f"<li>{_esc(x.strip())}</li>" for x in reasons.split(";") if x.strip())
        parts.append(f"<p>Основания:</p><ul class='wb-reasons'>{items}</ul>")
    else:
        parts.append("<p>Основания: нет (школа не в списке).</p>")
    parts.append("<p>Индекс результатов: <b>" + fmt_num(r["result_index"]) + "</b> (95% ДИ "
                 + fmt_ci(r["result_ci_low"], r["result_ci_high"]) + ")"
                 + (f"; доля «2»: {fmt_pct(r['share_low'])}" if "share_low" in r.index else "")
                 + (f" (регион {fmt_pct(r['share_low_region'])})"
                    if "share_low_region" in r.index else "")
                 + (f"; участников: {int(r['n_pupils'])}" if pd.notna(r.get("n_pupils")) else "")
                 + "</p>")
    line = "<p>Социальный индекс: " + fmt_num(r["social_index"])
    if "value_added" in r.index:
        line += ("; результат с учётом контекста (добавленная ценность): "
                 + fmt_num(r["value_added"])
                 + (f" (95% ДИ {fmt_ci(r['va_ci_low'], r['va_ci_high'])})"
                    if "va_ci_low" in r.index else ""))
    parts.append(line + "</p>")
    if bool(r.get("objectivity_flag", False)):
        parts.append("<p class='wb-warn'>Признаки необъективности результатов ВПР — "
                     "требуется проверка.</p>")
    # trend over years
    trs = "".join(
        f"<tr><td>{int(t['year'])}</td><td class='num'>{fmt_num(t['result_index'])}</td>"
        f"<td>{fmt_ci(t['result_ci_low'], t['result_ci_high'])}</td>"
        f"<td>{_esc(t['category_ru'])}</td></tr>" for _, t in rows.iterrows())
    parts.append("<p>Динамика по годам:</p><table class='wb-table wb-small'><thead><tr><th>Год</th>"
                 "<th>Индекс</th><th>95% ДИ</th><th>Категория</th></tr></thead>"
                 f"<tbody>{trs}</tbody></table>")
    # cluster
    cl = _for_school_year(data.clusters, school_id, year)
    if not cl.empty:
        c = cl.iloc[0]
        txt = f"Кластер {int(c['cluster'])}"
        if "cluster_name" in c.index and pd.notna(c["cluster_name"]):
            txt += f": {_esc(c['cluster_name'])}"
        if "similar_schools_percentile" in c.index and pd.notna(c["similar_schools_percentile"]):
            txt += (f"; среди похожих школ — {fmt_num(c['similar_schools_percentile'], 0)}-й "
                    "перцентиль")
        parts.append(f"<p>{txt}</p>")
    # risk profile
    rp = _for_school_year(data.risk_profiles, school_id, year)
    if not rp.empty:
        rp = rp.sort_values("score", ascending=False).head(max_risks)
        lv = {"high": "высокий", "medium": "средний", "low": "низкий"}
        items = "".join(
            f"<li>{_esc(x.get('risk_name', x['risk_factor']))}: "
            f"{lv.get(str(x.get('level')), _esc(x.get('level')))} ({fmt_num(x['score'])})</li>"
            for _, x in rp.iterrows())
        parts.append(f"<p>Профиль рисков (главные):</p><ul>{items}</ul>")
    # partner
    parts.append(_partner_html(data, school_id, year))
    pp = data.passport_path(school_id)
    if pp is not None:
        parts.append(f"<p class='wb-note'>Паспорт школы: {_esc(pp)}</p>")
    return "<div class='wb-card'>" + "".join(p for p in parts if p) + "</div>"


def _for_school_year(df: pd.DataFrame, school_id: str, year: int) -> pd.DataFrame:
    if df is None or df.empty or "school_id" not in df.columns:
        return pd.DataFrame()
    d = df[df["school_id"] == school_id]
    if "year" in d.columns and not d.empty:
        same = d[d["year"] == year]
        d = same if not same.empty else d[d["year"] == d["year"].max()]
    return d


def _partner_html(data: ExplorerData, school_id: str, year: int) -> str:
    pa = _for_school_year(data.partners, school_id, year)
    names = dict(zip(data.schools["school_id"], data.schools["school_name"]))
    out = ""
    if not pa.empty:
        if "assigned" in pa.columns and pa["assigned"].fillna(False).astype(bool).any():
            pa = pa[pa["assigned"].fillna(False).astype(bool)]
        elif "rank" in pa.columns:
            pa = pa.sort_values("rank").head(1)
        x = pa.iloc[0]
        pid = str(x["partner_id"])
        out = f"<p>Школа-партнёр: <b>{_esc(names.get(pid, pid))}</b> (код {_esc(pid)})"
        if "distance_km" in x.index and pd.notna(x["distance_km"]):
            out += f", {fmt_num(x['distance_km'], 0)} км"
        if "reasons" in x.index and pd.notna(x["reasons"]) and str(x["reasons"]):
            out += f" — {_esc(x['reasons'])}"
        out += "</p>"
    if not data.partners.empty and "partner_id" in data.partners.columns:
        mine = data.partners[(data.partners["partner_id"] == school_id)]
        if "year" in mine.columns:
            mine = mine[mine["year"] == year]
        if "assigned" in mine.columns:
            mine = mine[mine["assigned"].fillna(False).astype(bool)]
        if not mine.empty:
            lst = ", ".join(_esc(names.get(s, s)) for s in mine["school_id"])
            out += f"<p>Ресурсная школа для: {lst}</p>"
    return out


def monitoring_series(data: ExplorerData, school_id: str, year: int,
                      indicator: str | None = None) -> dict[str, Any]:
    """Trajectory of one school's monitoring indicator over the waves and the mean trajectory of
    its cluster peers (same cluster and year; all monitored schools when no clusters).

    Returns {"indicators": [...], "indicator", "domain", "waves_ru", "school": [3 values],
    "peers": [3 values], "n_peers", "trend_ru", "year"}; empty lists when nothing is monitored.
    """
    dyn = data.dynamics
    empty = {"indicators": [], "indicator": None, "domain": None, "waves_ru":
             [WAVES_RU[w] for w in WAVES], "school": [], "peers": [], "n_peers": 0,
             "trend_ru": "", "year": year, "peer_label": "", "change": None}
    if dyn is None or dyn.empty:
        return empty
    mine = dyn[dyn["school_id"] == school_id]
    if mine.empty:
        return empty
    if (mine["year"] == year).any():
        mine = mine[mine["year"] == year]
    else:
        year = int(mine["year"].max())
        mine = mine[mine["year"] == year]
    indicators = sorted(mine["indicator"].astype(str).unique())
    ind = indicator if indicator in indicators else indicators[0]
    row = mine[mine["indicator"] == ind].iloc[0]
    peers_all = dyn[(dyn["year"] == year) & (dyn["indicator"] == ind) &
                    (dyn["school_id"] != school_id)]
    peer_label = "все школы мониторинга"
    cl = data.clusters
    if cl is not None and not cl.empty:
        cy = cl[cl["year"] == year]
        mycl = cy.loc[cy["school_id"] == school_id, "cluster"]
        if not mycl.empty:
            same = set(cy.loc[cy["cluster"] == mycl.iloc[0], "school_id"])
            in_cluster = peers_all[peers_all["school_id"].isin(same)]
            if not in_cluster.empty:  # else: fall back to every monitored school
                peers_all = in_cluster
                peer_label = f"школы того же кластера ({int(mycl.iloc[0])})"
    waves = [w for w in WAVES if w in dyn.columns]
    trend = row.get("trend_ru", row.get("trend", ""))
    return {"indicators": indicators, "indicator": ind, "domain": row.get("domain"),
            "waves_ru": [WAVES_RU[w] for w in waves],
            "school": [float(row[w]) if pd.notna(row[w]) else None for w in waves],
            "peers": [float(peers_all[w].mean()) if peers_all[w].notna().any() else None
                      for w in waves],
            "n_peers": int(len(peers_all)), "trend_ru": "" if pd.isna(trend) else str(trend),
            "year": year, "peer_label": peer_label,
            "change": float(row["change"]) if "change" in row.index and pd.notna(row["change"])
            else None}


def monitored_hint_html(data: ExplorerData, view: pd.DataFrame, limit: int = 12) -> str:
    """Which schools of the current filter have monitoring data (to pick one of them)."""
    dyn = data.dynamics
    if dyn is None or dyn.empty:
        return "<p class='wb-note'>В расчёте нет данных мониторинга.</p>"
    ids = set(dyn["school_id"])
    v = view[view["school_id"].isin(ids)].sort_values("school_name")
    if v.empty:
        return "<p class='wb-note'>В текущем фильтре нет школ с данными мониторинга.</p>"
    names = ", ".join(_esc(n) for n in v["school_name"].head(limit))
    more = f" и ещё {len(v) - limit}" if len(v) > limit else ""
    return (f"<p class='wb-note'>Данные мониторинга есть у {len(v)} школ в текущем фильтре: "
            f"{names}{more}.</p>")


# ====================================================================== the app
CATEGORY_COLOURS = {
    "low_results_adverse": "#c0392b", "low_results": "#e67e22", "adverse_context": "#8e44ad",
    "resilient": "#27ae60", "high_performing": "#2e86c1", "typical": "#b3b6b7",
    "insufficient_data": "#7f8c8d",
}


TAB_LIST, TAB_CHART, TAB_CARD, TAB_MONITORING = 0, 1, 2, 3


def scatter_figure(view: pd.DataFrame, font_px: int = 18, height: int = 560,
                   width: int = 1150) -> Any:
    """Social index (x) against result index (y), one trace per category, hover = school name
    and municipality, customdata = school_id (for clicks)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for code, label in CATEGORIES.items():
        d = view[view["category"] == code]
        fig.add_scatter(
            x=d["social_index"].to_numpy(), y=d["result_index"].to_numpy(), mode="markers",
            name=f"{label}: {len(d)}", customdata=d["school_id"].to_numpy(),
            text=(d["school_name"].astype(str) + " (" + d["municipality"].astype(str) + ")").to_numpy(),
            marker={"color": CATEGORY_COLOURS[code], "size": 10,
                    "line": {"width": 0.5, "color": "#333"}},
            hovertemplate="<b>%{text}</b><br>соц. индекс %{x:.2f}<br>"
                          "индекс результатов %{y:.2f}<extra></extra>")
    fig.update_layout(
        height=height, width=width, font={"size": font_px - 2}, template="plotly_white",
        xaxis_title="Социальный индекс (выше — благополучнее)", yaxis_title="Индекс результатов",
        margin={"l": 60, "r": 10, "t": 50, "b": 60}, legend={"orientation": "h", "y": -0.2},
        title="Социальные условия и результаты школ")
    return fig


def monitoring_figure(series: dict[str, Any], school_name: str = "", font_px: int = 18,
                      width: int = 1150) -> Any:
    """The school's trajectory over the waves against the mean of its cluster peers."""
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_scatter(x=series["waves_ru"], y=series["school"], mode="lines+markers", name="школа",
                    line={"width": 4, "color": "#c0392b"}, marker={"size": 12})
    fig.add_scatter(x=series["waves_ru"], y=series["peers"], mode="lines+markers",
                    name=f"школы кластера, среднее ({series['n_peers']})",
                    line={"width": 3, "dash": "dash", "color": "#2e86c1"}, marker={"size": 10})
    if not school_name:
        title = "Мониторинг: выберите школу"
    elif series["indicator"]:
        title = f"{school_name}: {series['indicator']}"
    else:
        title = f"{school_name}: нет данных мониторинга"
    fig.update_layout(height=400, width=width, font={"size": font_px - 2}, template="plotly_white",
                      margin={"l": 60, "r": 10, "t": 60, "b": 40}, title=title,
                      legend={"orientation": "h"})
    return fig


def css(font_px: int = 18) -> str:
    """Projector-friendly styles for the app (put in an HTML widget)."""
    return f"""<style>
.wb-app {{ --jp-widgets-font-size: {font_px}px; --jp-widgets-inline-height: {font_px * 2}px;
  --jp-widgets-inline-label-width: {font_px * 14}px; font-size: {font_px}px; }}
.wb-app .widget-label, .wb-app select, .wb-app input, .wb-app button,
.wb-app .widget-readout {{ font-size: {font_px}px !important; }}
.wb-app h2 {{ font-size: {round(font_px * 1.6)}px; margin: 4px 0; }}
.wb-app h3 {{ font-size: {round(font_px * 1.3)}px; margin: 4px 0; }}
.wb-count {{ font-size: {round(font_px * 1.25)}px; padding: 6px 0; }}
.wb-count b {{ color: #c0392b; }}
.wb-table-wrap {{ max-height: 520px; overflow: auto; }}
.wb-table {{ border-collapse: collapse; font-size: {font_px - 2}px; }}
.wb-table th {{ position: sticky; top: 0; background: #eef2f5; text-align: left; }}
.wb-table th, .wb-table td {{ border: 1px solid #ccd; padding: 3px 6px; vertical-align: top;
  line-height: 1.3; white-space: nowrap; }}
.wb-table td.wrap {{ white-space: normal; min-width: 10em; }}
.wb-table td.wide {{ white-space: normal; min-width: 24em; }}
.wb-table td.num {{ text-align: right; }}
.wb-app .lm-TabBar-tab, .wb-app .p-TabBar-tab {{ flex: 0 0 auto !important; min-width: 12em;
  max-width: none !important; font-size: {font_px}px; line-height: {font_px * 2}px;
  height: auto; }}
.wb-app .lm-TabBar, .wb-app .p-TabBar {{ min-height: {font_px * 2 + 4}px; }}
.wb-small {{ font-size: {font_px - 3}px; }}
.wb-card {{ line-height: 1.35; }}
.wb-code, .wb-note {{ color: #666; font-size: {font_px - 4}px; }}
.wb-warn {{ color: #b03a2e; font-weight: bold; }}
.wb-download {{ font-size: {font_px}px; font-weight: bold; }}
</style>"""


class Explorer:
    """The ipywidgets explorer over ExplorerData; `.widget` is what a notebook displays.

    `classify_fn(identification, params)` re-derives categories (default: `classify`, the
    adapter over identify.classify); tests may pass a stub.
    """

    def __init__(self, data: ExplorerData, params: ExplorerParams | None = None,
                 classify_fn: Callable[[pd.DataFrame, Any], pd.DataFrame] | None = None,
                 params_model: type[StrictModel] | None = None) -> None:
        import ipywidgets as W
        import plotly.graph_objects as go

        self.W, self.go = W, go
        self.data = data
        self.p = params or ExplorerParams.model_validate(data.explorer_params)
        self.classify_fn = classify_fn or classify
        self.params_model = params_model or identify_params_model()
        known = {k: v for k, v in data.identify_params.items()
                 if k in self.params_model.model_fields}
        self.base_params = self.params_model.model_validate(known)
        self.last_recompute_s = 0.0
        self._busy = False

        ident = data.identification
        years = data.years
        def dd() -> dict[str, Any]:
            return {"layout": W.Layout(width="95%"), "style": {"description_width": "170px"}}

        self.year = W.Dropdown(options=[(f"{y}/{str(y + 1)[-2:]}", y) for y in years],
                               value=years[-1], description="Учебный год", **dd())
        munis = sorted(ident["municipality"].astype(str).unique())
        self.municipality = W.Dropdown(options=[("Все муниципалитеты", ALL)] + [(m, m) for m in munis],
                                       value=ALL, description="Муниципалитет", **dd())
        self.cluster = W.Dropdown(options=self._cluster_options(years[-1]), value=ALL,
                                  description="Кластер", **dd())
        self.category = W.Dropdown(
            options=[("Список ШНОР (обе категории)", LISTED), ("Все категории", ALL)]
            + [(v, k) for k, v in CATEGORIES.items()], value=LISTED, description="Категория",
            **dd())
        self.sliders: dict[str, Any] = {}
        self.slider_specs = {spec.name: spec for spec in slider_specs(self.params_model)}
        for spec in self.slider_specs.values():
            val = getattr(self.base_params, spec.name)
            cls = W.IntSlider if spec.integer else W.FloatSlider
            # percent: whole percents, one decimal only when the params value has one (12,5 %)
            lo, hi, step = (spec.to_slider(v) for v in (spec.min, spec.max, spec.step))
            v = spec.to_slider(val)
            fmt = (".0f" if float(v).is_integer() else ".1f") if spec.percent else spec.readout
            kw = {} if spec.integer else {"readout_format": fmt}
            s = cls(value=v, min=min(lo, v), max=max(hi, v), step=step,
                    description=spec.label, continuous_update=False,
                    style={"description_width": "initial"}, layout=W.Layout(width="95%"), **kw)
            self.sliders[spec.name] = s
        self.reset = W.Button(description="Вернуть пороги расчёта", layout=W.Layout(width="auto"))
        self.school = W.Combobox(placeholder="начните вводить название или код школы",
                                 description="Школа", ensure_option=True, **dd())
        self.indicator = W.Dropdown(options=[], description="Показатель", **dd())
        self.count = W.HTML()
        self.changes = W.HTML()
        self.table = W.HTML()
        self.card = W.HTML("<p>Выберите школу в списке или щёлкните точку на графике.</p>")
        self.download_button = W.Button(description="Скачать xlsx", button_style="primary")
        self.download = W.HTML()
        self.timing = W.HTML()
        self.scatter: Any = None
        self.mon_fig: Any = None
        self.scatter_box = W.VBox()
        self.mon_box = W.VBox()
        self.mon_series: dict[str, Any] = monitoring_series(data, "", years[-1])
        self._scatter_dirty = self._mon_dirty = True
        self.mon_note = W.HTML()
        self.selected: str | None = None
        self._school_ids: dict[str, str] = {}

        self.current = ident  # classified identification, all years
        self._reasons_year: int | None = None  # after a recompute: the only year with reasons
        self.base_classified = _align(ident, self.classify_fn(ident, self.base_params))
        self.view = ident.iloc[:0]   # year/municipality/cluster filtered rows
        self.listed = ident.iloc[:0]  # + category filter: the table

        for w in (self.year, self.municipality, self.cluster, self.category):
            w.observe(self._on_filter, names="value")
        for s in self.sliders.values():
            s.observe(self._on_threshold, names="value")
        self.reset.on_click(self._on_reset)
        self.school.observe(self._on_school, names="value")
        self.indicator.observe(self._on_indicator, names="value")
        self.download_button.on_click(self._on_download)

        self.widget = self._layout()
        self.recompute()
        self._render_monitoring()

    # ------------------------------------------------------------------ building
    def _cluster_options(self, year: int) -> list[tuple[str, Any]]:
        opts: list[tuple[str, Any]] = [("Все кластеры", ALL)]
        cl = self.data.clusters
        if cl is None or cl.empty:
            return opts
        c = cl[cl["year"] == year]
        if "cluster_name" in c.columns:
            pairs = c[["cluster", "cluster_name"]].drop_duplicates("cluster").sort_values("cluster")
            opts += [(f"{int(k)} — {n}", int(k)) for k, n in zip(pairs["cluster"], pairs["cluster_name"])]
        else:
            opts += [(f"Кластер {int(k)}", int(k)) for k in sorted(c["cluster"].unique())]
        return opts

    def _render_scatter(self) -> None:
        """Replace the scatter by a new FigureWidget built from the current view.

        A fresh widget each time (not restyle messages): plotly's anywidget front end drops
        updates sent before a view exists (hidden tab, Voilà page not yet rendered)."""
        fig = self.go.FigureWidget(scatter_figure(self.view, self.p.font_size_px,
                                                  self.p.chart_height_px, self.p.chart_width_px))
        for tr in fig.data:
            tr.on_click(self._on_point)
        old, self.scatter = self.scatter, fig
        self.scatter_box.children = [fig]
        if old is not None:
            old.close()
        self._scatter_dirty = False

    def _render_monitoring(self) -> None:
        s = self.mon_series
        name = self.current.loc[self.current["school_id"] == self.selected, "school_name"] \
            if self.selected is not None else pd.Series(dtype=object)
        name = name.iloc[0] if len(name) else (self.selected or "")
        fig = self.go.FigureWidget(monitoring_figure(s, name, self.p.font_size_px,
                                                     self.p.chart_width_px))
        old, self.mon_fig = self.mon_fig, fig
        self.mon_box.children = [fig]
        if old is not None:
            old.close()
        self._mon_dirty = False

    def _layout(self) -> Any:
        W = self.W
        header = W.HTML(css(self.p.font_size_px)
                        + f"<h2>{_esc(APP_TITLE)} — {_esc(self.data.region)}</h2>")
        filters = W.VBox([self.year, self.municipality, self.cluster, self.category])
        thresholds = W.VBox([W.HTML("<b>Пороги отбора</b>"), *self.sliders.values(), self.reset,
                             self.timing])
        top = W.HBox([filters, thresholds], layout=W.Layout(width="100%"))
        filters.layout.width = "45%"
        thresholds.layout.width = "55%"
        lst = W.VBox([self.count, self.changes, W.HBox([self.download_button, self.download]),
                      self.table])
        card = W.VBox([self.school, self.card])
        mon = W.VBox([self.indicator, self.mon_note, self.mon_box])
        chart = W.VBox([W.HTML("<p class='wb-note'>Наведите на точку — название школы; "
                               "щёлкните — откроется её карточка.</p>"), self.scatter_box])
        tabs = W.Tab(children=[lst, chart, card, mon])
        tabs.observe(self._on_tab, names="selected_index")
        for i, t in enumerate(["Список", "График", "Карточка школы", "Мониторинг"]):
            tabs.set_title(i, t)
        self.tabs = tabs
        box = W.VBox([header, top, tabs])
        box.add_class("wb-app")
        return box

    # ------------------------------------------------------------------ state
    def threshold_values(self) -> dict[str, Any]:
        return {k: self.slider_specs[k].from_slider(s.value) for k, s in self.sliders.items()}

    def current_params(self) -> StrictModel:
        """The identify params with the slider values applied (validated)."""
        vals = {**self.base_params.model_dump(), **self.threshold_values()}
        return self.params_model.model_validate(vals)

    def recompute(self) -> None:
        """Re-classify with the slider thresholds, then refresh every view."""
        t0 = time.perf_counter()
        ident, params = self.data.identification, self.current_params()
        if self.classify_fn is classify:  # reasons only for the year on screen (5× less work)
            out = classify(ident, params, years=[self.year.value])
            self._reasons_year = self.year.value
        else:
            out = self.classify_fn(ident, params)
        self.current = _align(ident, out)
        self.refresh()
        self.last_recompute_s = time.perf_counter() - t0

    def refresh(self) -> None:
        """Apply filters to the current classification and redraw list, counts, chart, card."""
        year = self.year.value
        self.view = filter_view(self.current, year, self.municipality.value, self.cluster.value,
                                self.data.clusters)
        self.listed = filter_category(self.view, self.category.value)
        counts = category_counts(self.view)
        n_list = counts["low_results_adverse"] + counts["low_results"]
        self.count.value = (
            f"<div class='wb-count'>Список ШНОР: <b>{n_list}</b> из {len(self.view)} школ "
            f"(ШНОР в НСУ: {counts['low_results_adverse']}, ШНОР: {counts['low_results']}); "
            f"ШФНСУ: {counts['adverse_context']}; резильентных: {counts['resilient']}; "
            f"недостаточно данных: {counts['insufficient_data']}. "
            f"В таблице: <b>{len(self.listed)}</b>.</div>")
        self.changes.value = self._changes_html(year)
        self.table.value = table_html(screen_table(list_table(self.listed)),
                                      self.p.max_table_rows)
        self.download.value = ""
        self._scatter_dirty = True
        if self.tabs.selected_index == TAB_CHART or self.scatter is None:
            self._render_scatter()
        self._update_school_options()
        if self.selected is not None:
            self.show_school(self.selected)

    def _changes_html(self, year: int) -> str:
        base = filter_view(self.base_classified, year, self.municipality.value, self.cluster.value,
                           self.data.clusters)
        b = set(base.loc[base["category"].isin(LISTED_CATEGORIES), "school_id"])
        c = set(self.view.loc[self.view["category"].isin(LISTED_CATEGORIES), "school_id"])
        if b == c:
            return "<p class='wb-note'>Список совпадает со списком при порогах расчёта.</p>"
        names = dict(zip(self.view["school_id"], self.view["school_name"]))
        added = sorted(c - b)
        removed = sorted(b - c)

        def _names(ids: list[str]) -> str:
            shown = ", ".join(_esc(names.get(i, i)) for i in ids[:8])
            return shown + (f" и ещё {len(ids) - 8}" if len(ids) > 8 else "")

        out = "<p>По сравнению с порогами расчёта: "
        out += f"вошли {len(added)}" + (f" ({_names(added)})" if added else "")
        out += f"; вышли {len(removed)}" + (f" ({_names(removed)})" if removed else "") + ".</p>"
        return out

    def _update_school_options(self) -> None:
        v = self.view.sort_values("school_name")
        self._school_ids = {f"{n} ({i})": i for n, i in zip(v["school_name"], v["school_id"])}
        opts = tuple(self._school_ids)
        if tuple(self.school.options) != opts:
            keep = self.school.value if self.school.value in self._school_ids else ""
            self.school.unobserve(self._on_school, names="value")
            self.school.value = ""
            self.school.options = opts
            self.school.value = keep
            self.school.observe(self._on_school, names="value")

    def show_school(self, school_id: str) -> None:
        """Open the card and the monitoring view of one school."""
        self.selected = school_id
        self.card.value = school_card_html(self.data, self.current, school_id, self.year.value,
                                           self.p.max_risks_in_card)
        self._update_monitoring()

    def _update_monitoring(self, indicator: str | None = None) -> None:
        if self.selected is None:
            return
        s = monitoring_series(self.data, self.selected, self.year.value,
                              indicator or self.indicator.value)
        self.indicator.unobserve(self._on_indicator, names="value")
        self.indicator.options = s["indicators"]
        self.indicator.value = s["indicator"]
        self.indicator.observe(self._on_indicator, names="value")
        self.mon_series = s
        self._mon_dirty = True
        if self.tabs.selected_index == TAB_MONITORING or self.mon_fig is None:
            self._render_monitoring()
        if s["indicator"]:
            ch = f"изменение за год: {fmt_num(s['change'])}; " if s["change"] is not None else ""
            self.mon_note.value = (f"<p>{s['year']}/{str(s['year'] + 1)[-2:]} уч. год; "
                                   f"сравнение: {_esc(s['peer_label'])}, {s['n_peers']} шк.; "
                                   f"{ch}траектория: <b>{_esc(s['trend_ru']) or '—'}</b></p>")
        else:
            self.mon_note.value = ("<p>Школа не участвовала в мониторинге.</p>"
                                   + monitored_hint_html(self.data, self.view))

    # ------------------------------------------------------------------ events
    def _on_filter(self, change: dict) -> None:
        if self._busy:
            return
        if change["owner"] is self.year:
            self._busy = True
            self.cluster.options = self._cluster_options(self.year.value)
            self.cluster.value = ALL
            self._busy = False
            if self._reasons_year not in (None, self.year.value):
                self.recompute()  # thresholds changed: this year's reasons are not written yet
                return
        self.refresh()

    def _on_threshold(self, change: dict) -> None:
        if not self._busy:
            self.recompute()
            self.timing.value = (f"<span class='wb-note'>пересчёт: "
                                 f"{fmt_num(self.last_recompute_s * 1000, 0)} мс</span>")

    def _on_reset(self, _btn: Any = None) -> None:
        self._busy = True
        for name, s in self.sliders.items():
            s.value = self.slider_specs[name].to_slider(getattr(self.base_params, name))
        self._busy = False
        self.recompute()

    def _on_school(self, change: dict) -> None:
        sid = self._school_ids.get(change["new"])
        if sid is not None:
            self.show_school(sid)

    def _on_point(self, trace: Any, points: Any, _state: Any) -> None:
        if points.point_inds:
            sid = str(trace.customdata[points.point_inds[0]])
            self.show_school(sid)
            label = next((k for k, v in self._school_ids.items() if v == sid), None)
            if label is not None:
                self.school.unobserve(self._on_school, names="value")
                self.school.value = label
                self.school.observe(self._on_school, names="value")
            self.tabs.selected_index = TAB_CARD

    def _on_tab(self, change: dict) -> None:
        if change["new"] == TAB_CHART and self._scatter_dirty:
            self._render_scatter()
        elif change["new"] == TAB_MONITORING and self._mon_dirty:
            self._render_monitoring()

    def _on_indicator(self, change: dict) -> None:
        self._update_monitoring(change["new"])

    def _on_download(self, _btn: Any = None) -> None:
        self.download.value = download_link_html(self.xlsx_bytes(), self.xlsx_filename())

    def xlsx_bytes(self) -> bytes:
        return list_xlsx_bytes(list_table(self.listed))

    def xlsx_filename(self) -> str:
        muni = "" if self.municipality.value == ALL else "_" + self.municipality.value
        return f"список_{self.year.value}{muni}.xlsx".replace(" ", "_").replace("/", "_")


# ====================================================================== Voilà server
def notebook_path() -> Path:
    """notebooks/explore.ipynb of the project (editable install: next to src/)."""
    p = Path(__file__).resolve().parents[2] / "notebooks" / "explore.ipynb"
    if not p.exists():
        raise WorkbenchError(f"Не найден блокнот обозревателя: {p}")
    return p


def voila_template_root() -> Path:
    """Folder added to JUPYTER_PATH: holds voila/templates/workbench (lab without CDN links)."""
    return Path(__file__).resolve().parent / "voila_share"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def voila_command(nb: Path, port: int) -> list[str]:
    """The Voilà command line: local only, code hidden, our offline template."""
    return [sys.executable, "-m", "voila", str(nb), f"--port={port}", "--no-browser",
            "--Voila.ip=127.0.0.1", "--template=workbench", "--theme=light",
            "--strip_sources=True", "--show_tracebacks=False",
            "--VoilaConfiguration.file_allowlist=[]",
            "--MappingKernelManager.cull_idle_timeout=0"]


def start_server(target: str | os.PathLike, port: int | None = None,
                 log_path: Path | None = None) -> tuple[subprocess.Popen, str]:
    """Start Voilà on the explorer for a run (folder or params file); return (process, url).

    Voilà's own log goes to `log_path` (default: a temporary file, path in proc.args_log).
    """
    import tempfile

    run_dir = resolve_run_dir(target).resolve()
    nb = notebook_path()
    port = port or free_port()
    env = dict(os.environ)
    env[RUN_DIR_ENV] = str(run_dir)
    extra = str(voila_template_root())
    env["JUPYTER_PATH"] = extra + (os.pathsep + env["JUPYTER_PATH"] if env.get("JUPYTER_PATH") else "")
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    temp_log = log_path is None
    if log_path is None:
        fd, name = tempfile.mkstemp(prefix="workbench-voila-", suffix=".log")
        os.close(fd)
        log_path = Path(name)
    log = open(log_path, "w", encoding="utf-8")
    # own session: a terminal's Ctrl+C reaches only `serve`, which then stops Voilà cleanly
    proc = subprocess.Popen(voila_command(nb, port), env=env, cwd=str(nb.parent),
                            stdout=log, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    log.close()
    proc.log_path = log_path  # type: ignore[attr-defined]
    proc.temp_log = temp_log  # type: ignore[attr-defined]
    return proc, f"http://127.0.0.1:{port}/"


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Block until the server accepts connections (WorkbenchError if it died or timed out).

    Only a TCP connect: a GET of the page would start a kernel."""
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None:
            log = getattr(proc, "log_path", None)
            tail = Path(log).read_text(encoding="utf-8", errors="replace").strip().splitlines() \
                if log and Path(log).exists() else []
            raise WorkbenchError("Voilà не запустился: " + (tail[-1] if tail else "причина неизвестна"))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise WorkbenchError(f"Voilà не ответил за {timeout:.0f} с")


def serve(run_dir_or_params: str, port: int | None = None, open_browser: bool = False) -> None:
    """`workbench present`: Voilà on the explorer, 127.0.0.1, code hidden, offline; blocks until
    Ctrl+C and then stops the server."""
    proc, url = start_server(run_dir_or_params, port)
    try:
        wait_until_up(url, proc, ExplorerParams().server_start_timeout_s)
        print(f"Откройте {url} в браузере (показ: «{APP_TITLE}»). Ctrl+C — остановить.",
              flush=True)
        if open_browser:
            import webbrowser

            webbrowser.open(url)
        while proc.poll() is None:
            try:
                proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        raise WorkbenchError(f"Сервер Voilà неожиданно остановился (код {proc.returncode}); "
                             f"журнал: {getattr(proc, 'log_path', '?')}")
    except KeyboardInterrupt:
        print("Остановка сервера…", flush=True)
        _stop_server(proc)
        if getattr(proc, "temp_log", False):  # clean stop: the temporary log is not needed
            Path(proc.log_path).unlink(missing_ok=True)  # type: ignore[attr-defined]
    finally:
        _stop_server(proc)


def _stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def explorer_widget(source: str | os.PathLike | None = None) -> Any:
    """What explore.ipynb displays: the explorer for `source` (run folder or params; default:
    $WORKBENCH_RUN_DIR), or a Russian message when there is nothing to show."""
    import ipywidgets as W

    source = os.environ.get(RUN_DIR_ENV) or source
    try:
        if not source:
            raise WorkbenchError("Не указан расчёт: задайте папку outputs/<run_id> или файл "
                                 "параметров (workbench present PARAMS.yaml).")
        return Explorer(load_run(source)).widget
    except WorkbenchError as exc:
        message = str(exc)
    except Exception as exc:  # a bug: one Russian line on the screen instead of a traceback
        message = (f"Внутренняя ошибка обозревателя: {type(exc).__name__}: {exc}. "
                   "Сообщите разработчикам.")
    return W.HTML(css() + f"<div class='wb-app'><h2>{_esc(APP_TITLE)}</h2>"
                  f"<p class='wb-warn'>{_esc(message)}</p></div>")
