"""Step 5 of the briefings: THE view model of one school — what its passport shows, and what the
explorer's school card is to show from the same model.

`school_view(school, params)` is a plain function of a small per-school input (`SchoolInput`:
the school's record and rows, its cluster's spread, the regional references, the names of the
other schools; made by `prepare.school_input`) and the params section `briefings`. It reads dicts
only (no DataFrame scans), applies the small-cell rule (`params.min_cell`) to every figure and
returns the template context of `templates/school.html`. Every number is formatted by
`workbench.core.formatting`.
"""
from __future__ import annotations

from typing import Any

from markupsafe import Markup

from workbench.briefings.charts import svg_bars, svg_interval, svg_trend
from workbench.briefings.labels import NO_DATA, PRODUCED_RU, TREND_RU
from workbench.briefings.page_parts import completeness_summary, has_page
from workbench.briefings.prepare import RegionRefs, SchoolInput, truthy
from workbench.briefings.risk_profiles import LEVELS_RU
from workbench.briefings.tech_map import TECH_LEVELS_RU
from workbench.config.briefings import BriefingsParams
from workbench.core.formatting import finite as _num
from workbench.core.formatting import fmt_int, fmt_num, fmt_pct, year_label
from workbench.core.palette import LEVEL_COLOURS, UNKNOWN_COLOUR
from workbench.core.privacy import is_small, pupil_count, suppressed_text
from workbench.core.vocabulary import CATEGORIES, DOMAINS_RU, WAVES

Rows = list[dict[str, Any]]


def school_view(school: SchoolInput, params: BriefingsParams) -> dict[str, Any]:
    """The view model of one school: the template context of its passport.

    Keys: `s` (the school's record), `idr` (its identification row), `ri` / `ri_fmt` (result index
    with its interval, raw / formatted), `small` (too few pupils: results suppressed),
    `n_pupils`, `percentile`, `peer_percentile`, `va`, `va_lo`, `va_hi`, `reasons` (list),
    `decision` (the expert decision beside the statistics, Russian, "" when none),
    `changes` (list changes of the year), `ctx_rows` (context against the region), `trend_rows`,
    `subj_rows` (results by subject), `mon_rows` and `completeness` (monitoring), `risk_rows`,
    `tmap` and `tech_levels` (technological map), `partner_rows`, `curator` (name,
    organisation, how: assigned or recorded; None), `supports`, `notes` (remarks
    on the data, Russian), and the charts `chart_interval`, `chart_trend`, `chart_risk` (inline
    SVG, `Markup`)."""
    s, g, refs, mc = school.school, school.rows, school.region, params.min_cell
    notes: list[str] = []
    idr = s["ident"]
    ctx_rows = _context_rows(s["context"], refs, mc, notes)
    n_pupils = _pupils(idr, g["results"], refs.year)
    small = is_small(n_pupils, mc)
    ri, chart_interval = _result_index(school, small, mc, notes)
    trend_rows, chart_trend = _trend(g["identification"], refs, params, notes)
    subj_rows = _subject_rows(g["results"], refs, params, notes)
    mon_rows = _monitoring_rows(g, mc)
    if any(r.get("suppressed_any") for r in mon_rows):
        notes.append(f"Значения мониторинга, полученные менее чем по {mc} участникам, скрыты.")
    risk_rows, chart_risk = _risks(g["risk_profiles"], refs, notes)
    if truthy(idr.get("objectivity_flag")) if idr else False:
        notes.append("Есть признаки необъективности результатов ВПР (флаг для проверки, "
                     "школа из расчётов не исключена).")
    for name in ("clusters", "partners", "risk_profiles"):
        if name in refs.missing:
            notes.append(f"Нет данных: этап «{PRODUCED_RU[name]}» не выполнялся.")
    return {
        "s": s, "idr": idr, "ri": ri, "ri_fmt": {k: fmt_num(v) for k, v in ri.items()},
        "small": small, "n_pupils": suppressed_text(mc, "") if small else fmt_int(n_pupils),
        "years_low": None if small else idr.get("years_low"),  # «low for N years» tells too
        "ctx_rows": ctx_rows, "chart_interval": chart_interval, "chart_trend": chart_trend,
        "trend_rows": trend_rows, "subj_rows": subj_rows, "mon_rows": mon_rows,
        "completeness": completeness_summary(g["monitoring_completeness"]),
        "risk_rows": risk_rows, "chart_risk": chart_risk,
        "tmap": sorted([r for r in g["tech_map"] if r.get("year") == refs.year],
                       key=lambda r: r["priority"]),
        "tech_levels": TECH_LEVELS_RU, "partner_rows": _partner_rows(school, params),
        "curator": _curator(school),
        "supports": _supports(school, params),
        "changes": [r for r in g["list_changes"] if r.get("year") == refs.year], "notes": notes,
        "decision": _decision(idr), "reasons": _reasons(idr),
        "percentile": fmt_int(idr.get("result_percentile")) if not small else "—",
        "peer_percentile": fmt_int(s["cluster"].get("similar_schools_percentile"))
        if s["cluster"] and not small else "—",
        "va": fmt_num(idr.get("value_added")) if not small else "—",
        "va_lo": fmt_num(idr.get("va_ci_low")) if not small else "—",
        "va_hi": fmt_num(idr.get("va_ci_high")) if not small else "—",
    }


def _decision(idr: dict[str, Any] | None) -> str:
    """«Исключена из списка ШНОР решением экспертной группы (…)…», or "" (identify/decisions)."""
    text = (idr or {}).get("decision_text")
    return text if isinstance(text, str) else ""


def _reasons(idr: dict[str, Any] | None) -> list[str]:
    """The statistical reasons, one per item (the decision, said apart, is cut off)."""
    text = str((idr or {}).get("reasons") or "")
    decision = _decision(idr)
    if decision and text.startswith(decision):
        text = text[len(decision):].strip().removeprefix("Статистические основания:")
    return [x.strip() for x in text.split(";") if x.strip()]


def _pupils(idr: dict[str, Any], results: Rows, year: int | None) -> float | None:
    """The pupils the school's figures rest on (`core.privacy.pupil_count` over its results of
    the year; identification's count when it is smaller or the results are absent)."""
    counts = [pupil_count(r for r in results if r.get("year") == year), _num(idr.get("n_pupils"))]
    known = [c for c in counts if c is not None]
    return min(known) if known else None


def _context_rows(context: dict[str, Any], refs: RegionRefs, mc: int, notes: list[str]) -> Rows:
    """The school's context indicators against the regional medians; shares of the pupils of a
    school with fewer than min_cell pupils are suppressed."""
    rows = []
    tiny_school = is_small(context.get("n_students"), mc)
    cy = _num(context.get("year"))
    if cy is not None and refs.year is not None and int(cy) != int(refs.year):  # another year's
        notes.append(f"Показатели контекста — за {year_label(cy)} учебный год: за "
                     f"{year_label(refs.year)} данных о контексте школы нет.")
    if tiny_school:
        notes.append(f"В школе менее {mc} обучающихся: доли по контингенту не показываются.")
    for c in refs.context_cols:
        v = _num(context.get(c))
        if tiny_school and c.startswith("share_") and c != "share_teachers_60plus":
            rows.append({"label": refs.indicator_labels.get(c, c), "value": suppressed_text(mc),
                         "region": fmt_pct(refs.context.get(c))})
            continue
        share = c.startswith("share_") or c.endswith("_rate")
        f = fmt_pct if share else (fmt_int if c.startswith("n_") else (lambda x: fmt_num(x, 1)))
        if c == "is_rural":
            f = lambda x: "да" if _num(x) else "нет"  # noqa: E731
        rows.append({"label": refs.indicator_labels.get(c, c),
                     "value": f(v) if v is not None else "—",
                     "region": f(refs.context.get(c)) if c in refs.context else "—"})
    return rows


def _result_index(school: SchoolInput, small: bool, mc: int,
                  notes: list[str]) -> tuple[dict[str, float | None], Markup]:
    """The result index with its interval and its chart against the region and the cluster."""
    idr = school.school["ident"]
    ri = {"value": None, "lo": None, "hi": None}
    chart = Markup(f'<p class="nodata">{NO_DATA}</p>')
    if idr and not small:
        ri = {"value": _num(idr.get("result_index")), "lo": _num(idr.get("result_ci_low")),
              "hi": _num(idr.get("result_ci_high"))}
        chart = svg_interval(ri["value"], ri["lo"], ri["hi"], school.region.index, school.peers)
    elif small:
        chart = Markup(f'<p class="suppressed">{suppressed_text(mc)}</p>')
        notes.append(f"Результаты школы рассчитаны менее чем по {mc} участникам и не показываются.")
    if not idr:
        notes.append("Школа отсутствует в таблице идентификации текущего года.")
    return ri, chart


def _trend(identification: Rows, refs: RegionRefs, params: BriefingsParams,
           notes: list[str]) -> tuple[Rows, Markup]:
    """The last `trend_years` years of the school: table rows and chart (years with fewer than
    min_cell pupils hidden)."""
    mc = params.min_cell
    points, rows = [], []
    hidden_years = 0
    for r in sorted(identification, key=lambda r: r["year"])[-params.trend_years:]:
        if is_small(r.get("n_pupils"), mc):
            hidden_years += 1
            rows.append({"year": year_label(r["year"]), "suppressed": True})
            continue
        points.append({"year": int(r["year"]), "value": _num(r.get("result_index")),
                       "lo": _num(r.get("result_ci_low")), "hi": _num(r.get("result_ci_high")),
                       "ref": refs.index_by_year.get(int(r["year"]))})
        rows.append({"year": year_label(r["year"]), "suppressed": False,
                     "index": fmt_num(r.get("result_index")),
                     "share_low": fmt_pct(r.get("share_low")),
                     "share_low_region": fmt_pct(r.get("share_low_region")),
                     "category": CATEGORIES.get(r.get("category"), "—"),
                     "n": fmt_int(r.get("n_pupils"))})
    if hidden_years:
        notes.append(f"Годы с числом участников менее {mc} скрыты в динамике ({hidden_years}).")
    return rows, svg_trend(points)


def _subject_rows(results: Rows, refs: RegionRefs, params: BriefingsParams,
                  notes: list[str]) -> Rows:
    """Results by procedure, grade and subject in the current year against the region."""
    mc = params.min_cell
    subj = [r for r in results if r.get("year") == refs.year]
    subj.sort(key=lambda r: (str(r.get("procedure")), _num(r.get("grade")) or 0,
                             str(r.get("subject"))))
    rows, n_supp = [], 0
    for r in subj[:params.max_results_rows]:
        n = r.get("n_participants")
        row = {"procedure": r.get("procedure"), "subject": r.get("subject"),
               "grade": fmt_int(r.get("grade")), "n": fmt_int(n), "suppressed": is_small(n, mc)}
        if row["suppressed"]:
            n_supp += 1
            row["n"] = suppressed_text(mc, "")
        else:
            row["share_low"] = fmt_pct(r.get("share_low"))
            row["mean"] = fmt_num(r.get("mean_score"), 2)
            key = (r.get("procedure"), r.get("subject"), r.get("grade"))
            row["region"] = fmt_pct(refs.share_low.get(key))
        rows.append(row)
    if n_supp:
        notes.append(f"Строк результатов с числом участников менее {mc}: {n_supp} — "
                     "значения скрыты.")
    if len(subj) > params.max_results_rows:
        notes.append(f"Показаны {params.max_results_rows} из {len(subj)} строк результатов.")
    return rows


def _monitoring_rows(g: dict[str, Rows], mc: int) -> Rows:
    """Entry / intermediate / final per domain × indicator of the school's latest monitoring year.

    Uses `dynamics` (with change, peer change and trend) when present, else the raw waves."""
    if g["dynamics"]:
        return _dynamics_rows(g["dynamics"], mc)
    return _wave_rows(g["monitoring"], mc) if g["monitoring"] else []


def _dynamics_rows(dyn: Rows, mc: int) -> Rows:
    rows = []
    ylast = max(r["year"] for r in dyn)
    for r in sorted([r for r in dyn if r["year"] == ylast],
                    key=lambda r: (str(r.get("domain")), str(r.get("indicator")))):
        small = is_small(r.get("n"), mc)
        rows.append({"year": year_label(ylast), "domain": DOMAINS_RU.get(r.get("domain"),
                                                                          r.get("domain")),
                     "indicator": r.get("indicator"),
                     "waves": [suppressed_text(mc, "") if small else fmt_num(r.get(w))
                               for w in WAVES],
                     "change": "—" if small else fmt_num(r.get("change")),
                     "peer_change": fmt_num(r.get("peer_change")),
                     "trend": r.get("trend_ru") or TREND_RU.get(r.get("trend"),
                                                                 r.get("trend") or "—"),
                     "suppressed_any": small})
    return rows


def _wave_rows(mon: Rows, mc: int) -> Rows:
    rows = []
    ylast = max(r["year"] for r in mon)
    cells: dict[tuple, dict[str, Any]] = {}
    for r in mon:
        if r["year"] != ylast:
            continue
        key = (str(r.get("domain")), str(r.get("indicator")))
        cells.setdefault(key, {})[r.get("wave")] = r
    for (dom, ind), waves in sorted(cells.items()):
        vals, supp = [], False
        for w in WAVES:
            r = waves.get(w)
            if r is None:
                vals.append("—")
            elif is_small(r.get("n"), mc):
                vals.append(suppressed_text(mc, ""))
                supp = True
            else:
                vals.append(fmt_num(r.get("value")))
        e, f = waves.get("entry"), waves.get("final")
        ch = "—"
        if e is not None and f is not None and not is_small(e.get("n"), mc) \
                and not is_small(f.get("n"), mc):
            ch = fmt_num((_num(f.get("value")) or 0) - (_num(e.get("value")) or 0))
        rows.append({"year": year_label(ylast), "domain": DOMAINS_RU.get(dom, dom),
                     "indicator": ind, "waves": vals, "change": ch, "peer_change": "—",
                     "trend": "—", "suppressed_any": supp})
    return rows


def _risks(profile: Rows, refs: RegionRefs, notes: list[str]) -> tuple[Rows, Markup | None]:
    """Every risk factor of the run with the school's score, level and source, and its chart."""
    rp = {r["risk_factor"]: r for r in profile if r.get("year") == refs.year} if profile else {}
    items, rows = [], []
    for code, name in refs.risk_names.items():
        r = rp.get(code)
        lvl = r.get("level") if r else None
        derived = bool(r and truthy(r.get("derived")))
        items.append({"label": f"{code} {name}", "value": _num(r.get("score")) if r else None,
                      "colour": LEVEL_COLOURS.get(lvl, UNKNOWN_COLOUR),
                      "note": " *" if derived else ""})
        rows.append({"code": code, "name": name, "score": fmt_num(r.get("score")) if r else "—",
                     "level": LEVELS_RU.get(lvl, NO_DATA) if r else NO_DATA,
                     "level_code": lvl or "none", "source": r.get("source") if r else "—",
                     "derived": derived})
    if any(r["derived"] for r in rows):
        notes.append("* Факторы риска без данных анкетирования рассчитаны по данным о контексте "
                     "и результатах (оценка, требует проверки школой).")
    return rows, (svg_bars(items, vmax=1.0, label="Профиль рисков") if rp else None)


def _partner_rows(school: SchoolInput, params: BriefingsParams) -> Rows:
    """The assigned partner (else the best candidate), or the partner named by the programme."""
    year = school.region.year
    partners = [r for r in school.rows["partners"] if r.get("year", year) == year]
    assigned = [r for r in partners if truthy(r.get("assigned"))] if partners and \
        "assigned" in partners[0] else []
    chosen = assigned or sorted(partners, key=lambda r: _num(r.get("rank")) or 99)[:1]
    rows = []
    for r in chosen:
        pid = str(r.get("partner_id"))
        ps = school.schools.get(pid, {})
        rows.append({"id": pid, "name": ps.get("school_name", pid),
                     "municipality": ps.get("municipality", "—"),
                     "distance": fmt_num(r.get("distance_km"), 0),
                     "reasons": r.get("reasons") or "", "exists": has_page(ps, params),
                     "assigned": truthy(r.get("assigned")),
                     "fails": (r.get("criteria_note") or "") if r.get("basis") == "agreed"
                     and not truthy(r.get("meets_criteria")) else ""})
    programme = school.school["programme"]
    prog_partner = programme.get("partner_school_id") if programme else None
    if isinstance(prog_partner, str) and prog_partner and not rows:
        ps = school.schools.get(prog_partner, {})
        rows.append({"id": prog_partner, "name": ps.get("school_name", prog_partner),
                     "municipality": ps.get("municipality", "—"), "distance": "—",
                     "reasons": "указан в таблице программы", "exists": has_page(ps, params),
                     "assigned": True})
    return rows


def _curator(school: SchoolInput) -> dict[str, str] | None:
    """The school's curator of the year (clusters stage: kept or assigned), else the one the
    programme names; None without one."""
    rows = [r for r in school.rows.get("curator_assignments", [])
            if r.get("year", school.region.year) == school.region.year and r.get("curator_name")]
    if rows:
        r = rows[0]
        how = "назначен" if r.get("source") == "assigned" else "указан в таблице участия"
        return {"name": str(r["curator_name"]), "organisation": str(r.get("organisation") or ""),
                "how": how}
    programme = school.school["programme"] or {}
    name = programme.get("curator")
    if isinstance(name, str) and name.strip():
        return {"name": name.strip(), "organisation": "", "how": "указан в таблице участия"}
    return None


def _supports(school: SchoolInput, params: BriefingsParams) -> Rows:
    """The listed schools this school is the resource school for (those with a passport)."""
    out = []
    for r in school.rows["supports"]:
        other = school.schools.get(str(r["school_id"]), {})
        if has_page(other, params):
            out.append({"id": str(r["school_id"]),
                        "name": other.get("school_name", r["school_id"])})
    return out
