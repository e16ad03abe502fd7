"""Step 8 of the briefings: every page rendered in one process — the school passports, one page
per municipality, the region's page and the navigation index — from the jinja2 templates of
`templates/` (autoescape on: every text from the data is escaped), with the stylesheet and the
script copied into `briefings/assets/`. Pages work offline from file:// and print on A4."""
from __future__ import annotations

import shutil
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
from jinja2 import Environment, FileSystemLoader, Template
from tqdm import tqdm

from workbench.briefings.labels import NO_DATA, PRODUCED_RU
from workbench.briefings.municipality_view import municipality_view
from workbench.briefings.page_writer import PageWriter
from workbench.briefings.prepare import Prepared, natural_key, school_input
from workbench.briefings.region_view import region_view
from workbench.briefings.school_view import school_view
from workbench.briefings.styles import ASSETS_DIR, stylesheet
from workbench.config.briefings import BriefingsParams
from workbench.core.formatting import fmt_int, year_label
from workbench.core.names import file_stems
from workbench.core.privacy import MIN_CELL, suppressed_text
from workbench.core.vocabulary import CATEGORIES, CATEGORY_ORDER, WAVES_RU

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
Schools = list[dict[str, Any]]


def environment(min_cell: int = MIN_CELL, school_files: Mapping[str, str] | None = None
                ) -> Environment:
    """Jinja2 environment over the package templates with autoescape on for every template,
    each compiled once and never looked up on disk again (they do not change during a run);
    the small-cell wording follows the run's `min_cell`; `safe_name` gives a school's passport
    file stem (`school_files`, from `core.names.file_stems` over every school of the run)."""
    # auto_reload off: every page's `extends "base.html"` would otherwise look the templates up
    # again and stat their files (two per passport: 7 of the stage's seconds on a busy disk)
    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    files = dict(school_files or {})
    env.filters.update(whole=fmt_int,
                       safe_name=lambda sid: files.get(str(sid)) or school_file_names([sid])[str(sid)])
    env.globals.update(NO_DATA=NO_DATA, SUPPRESSED=suppressed_text(min_cell), MIN_CELL=min_cell,
                       WAVES_RU=WAVES_RU, CATEGORIES=CATEGORIES)
    return env


def copy_assets(out_dir: Path) -> None:
    """briefings.css (with the palette's category colours) and the other assets into
    out_dir/assets."""
    dst = Path(out_dir) / "assets"
    dst.mkdir(parents=True, exist_ok=True)
    for f in ASSETS_DIR.iterdir():
        if f.name == "briefings.css":
            (dst / f.name).write_text(stylesheet(), encoding="utf-8")
        elif f.is_file():
            shutil.copyfile(f, dst / f.name)


def school_file_names(school_ids: Iterable[Any]) -> dict[str, str]:
    """school id → passport file stem: the one names rule (`core.names.file_stems`), so that
    `X/1` and `X_1` never share a passport."""
    return file_stems((str(s) for s in school_ids), kind="code")


def by_municipality(schools: Schools) -> dict[str, Schools]:
    """Schools per municipality, municipalities in natural order («№ 2» before «№ 10»)."""
    out: dict[str, Schools] = defaultdict(list)
    for s in schools:
        out[str(s.get("municipality", ""))].append(s)
    return dict(sorted(out.items(), key=lambda kv: natural_key(kv[0])))


def render_all(p: Prepared, out_dir: Path, params: BriefingsParams,
               xlsx_files: dict[str, str] | None = None,
               quality: dict[str, int] | None = None,
               run_notes: list[str] | None = None,
               reports_link: bool = False) -> dict[str, Any]:
    """Render index, region, municipality and school pages into out_dir. Returns timings.
    quality: {rejected, read} of the inputs (a banner when rows were rejected); run_notes: the
    run's remarks so far (what could not be computed), listed on the region page;
    reports_link: the run writes the reports stage's `reports/index.html` (a link on every page)."""
    out_dir = Path(out_dir)
    (out_dir / "school").mkdir(parents=True, exist_ok=True)
    (out_dir / "municipality").mkdir(parents=True, exist_ok=True)
    copy_assets(out_dir)
    school_files = school_file_names(s["school_id"] for s in p.schools)
    env = environment(params.min_cell, school_files)
    common = {"region": p.region, "run_id": p.run_id, "year": p.year,
              "year_label": year_label(p.year) if p.year is not None else NO_DATA,
              "missing": [PRODUCED_RU[m] for m in p.missing
                          if m not in ("risk_profiles", "tech_map")],
              "quality": quality if quality and quality.get("rejected") else None,
              "run_notes": list(run_notes or []), "reports_link": reports_link}
    municipalities = by_municipality(p.schools)
    school_ids = [s["school_id"] for s in p.schools
                  if params.school_pages == "all" or s["listed"]]
    with PageWriter() as pages:
        timings = _school_pages(p, school_ids, env.get_template("school.html"), common, params,
                                out_dir / "school", school_files, pages)
        _summary_pages(p, env, common, params, municipalities, xlsx_files, out_dir, pages)
    return {"n_school": len(school_ids), "n_municipality": len(municipalities),
            "school_seconds": timings,
            "median_school_ms": float(np.median(timings) * 1000) if timings else 0.0}


def _summary_pages(p: Prepared, env: Environment, common: dict[str, Any],
                   params: BriefingsParams, municipalities: dict[str, Schools],
                   xlsx_files: dict[str, str] | None, out_dir: Path, pages: PageWriter) -> None:
    """The page of each municipality, the region's page and the index."""
    t_mun = env.get_template("municipality.html")
    for mun, ss in municipalities.items():
        slug = ss[0]["mun_slug"]
        page = t_mun.render(root="../", title=f"Справка: {mun}", **common,
                            **municipality_view(p, mun, ss, params,
                                                (xlsx_files or {}).get(slug)),
                            school_pages=params.school_pages)
        pages.write(out_dir / "municipality" / f"{slug}.html", page)
    page = env.get_template("region.html").render(root="", title=f"Справка по региону: {p.region}",
                                                  **common, **region_view(p, municipalities),
                                                  school_pages=params.school_pages)
    pages.write(out_dir / "region.html", page)
    page = env.get_template("index.html").render(
        root="", title=f"Справки: {p.region}", **common, schools=p.schools,
        municipalities=[(m, ss[0]["mun_slug"]) for m, ss in municipalities.items()],
        categories=[(c, CATEGORIES[c]) for c in CATEGORY_ORDER], school_pages=params.school_pages)
    pages.write(out_dir / "index.html", page)


def _school_pages(p: Prepared, school_ids: list[str], template: Template, common: dict[str, Any],
                  params: BriefingsParams, folder: Path, files: Mapping[str, str],
                  pages: PageWriter) -> list[float]:
    """One passport per school; returns the seconds of each (its view model and rendering:
    the writing goes on beside, on `pages`' thread)."""
    timings: list[float] = []
    # disable=None: tqdm shows the bar on a terminal and stays silent in notebooks and logs
    for sid in tqdm(school_ids, desc="Паспорта школ", disable=None if params.progress else True,
                    leave=False):
        t0 = time.perf_counter()
        page = template.render(root="../",
                               title=f"Паспорт школы: {p.school_by_id[sid]['school_name']}",
                               **common, **school_view(school_input(p, sid), params))
        pages.write(folder / f"{files[sid]}.html", page)
        timings.append(time.perf_counter() - t0)
    return timings
