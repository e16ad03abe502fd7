"""Validation of a mapped file: every problem is collected in one pass, none stops the file.

Order: value types (coerce.py; a cell that is not of its type rejects the row), ranges and
required fields (a lazy pandera schema), the rules pandera cannot express (mark counts against
participants, percent sums, pupils without a result), codes of unknown schools, and repeated
keys (the later occurrence is rejected, its message names the first)."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd
import pandera.pandas as pa

from workbench.config.ingest import IngestParams
from workbench.core.formatting import fmt_num
from workbench.core.tables import REQUIRED_COLUMNS
from workbench.ingest.codes import repair_codes, repair_line
from workbench.ingest.coerce import COERCERS, as_series, to_number
from workbench.ingest.columns import (COUNT_COLUMNS, GRADE, NONNEG_COLUMNS, NUM, PCT_COLUMNS, TEXT,
                                      YEAR, column_types, is_share_column)
from workbench.ingest.decisions import decision_rules
from workbench.ingest.errors import DataError
from workbench.ingest.mapping import Mapped
from workbench.ingest.percent import apply_scales, detect_percent_marks
from workbench.ingest.plan import plan_rules
from workbench.ingest.problems import (ERROR, PLAUSIBLE_ABS, WARNING, check_message,
                                       empty_problems, implausible_message, problem_frame,
                                       show_value, type_message)
from workbench.ingest.years import spring_to_school_year


def _checks(table: str, types: dict[str, str], params: IngestParams
            ) -> dict[str, list[tuple[str, Callable[[pd.Series], Any]]]]:
    """Column → named range checks of its values (names: problems.check_message)."""
    checks: dict[str, list[tuple[str, Callable[[pd.Series], Any]]]] = {}
    for c, kind in types.items():
        lst: list[tuple[str, Callable[[pd.Series], Any]]] = []
        if kind == YEAR:
            lst.append(("year_range", lambda s: s.between(params.year_min, params.year_max)))
        elif kind == GRADE:
            lst.append(("grade_range", lambda s: s.between(1, params.max_grade)))
        elif kind == NUM:
            if is_share_column(c) or (table == "risk_survey" and c == "value"):
                lst.append(("share_range", lambda s: s.between(0, 1)))
            elif c in PCT_COLUMNS:
                lst.append(("pct_range", lambda s: s.between(0, 100)))
            elif c == "mark":
                lst.append(("mark", lambda s: s.isin([2, 3, 4, 5])))
            elif c == "latitude":
                lst.append(("lat", lambda s: s.between(-90, 90)))
            elif c == "longitude":
                lst.append(("lon", lambda s: s.between(-180, 180)))
            elif c in NONNEG_COLUMNS:
                lst.append(("nonneg", lambda s: s >= 0))
            if c in COUNT_COLUMNS:
                lst.append(("whole", lambda s: (s - s.round()).abs() < 1e-9))
        checks[c] = lst
    return checks


def pandera_problems(df: pd.DataFrame, raw: pd.DataFrame, rows: np.ndarray, mapped: Mapped,
                     types: dict[str, str], params: IngestParams
                     ) -> tuple[pd.DataFrame, np.ndarray]:
    """Range and not-null checks with a lazy pandera schema → (problems, failing positions)."""
    required = set(REQUIRED_COLUMNS[mapped.table])
    checks = _checks(mapped.table, types, params)
    cols = {}
    for c in df.columns:
        if c not in types:
            continue
        cols[c] = pa.Column(checks=[pa.Check(f, name=name) for name, f in checks.get(c, [])],
                            nullable=c not in required, required=False)
    schema = pa.DataFrameSchema(cols, strict=False)
    try:
        schema.validate(df, lazy=True, inplace=True)  # nothing is coerced: no copy needed
        return empty_problems(), np.zeros(0, dtype=np.int64)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
    fc = fc[fc["index"].notna() & fc["column"].notna()]
    if fc.empty:
        return empty_problems(), np.zeros(0, dtype=np.int64)
    out = []
    for (col, check), grp in fc.groupby(["column", "check"], sort=False):
        idx = grp["index"].astype("int64").to_numpy()
        header = mapped.source.get(col, col)
        values = raw[col].to_numpy()[idx] if col in raw.columns else grp["failure_case"].to_numpy()
        check_name = "not_nullable" if "nullable" in str(check) else str(check)
        if check_name == "share_range":  # the message depends on the value (percent or not)
            msgs = [check_message(check_name, header, v, params) for v in df[col].to_numpy()[idx]]
        else:
            msgs = check_message(check_name, header, None, params)
        out.append((idx, problem_frame(mapped.file, rows[idx], header, values, ERROR, msgs)))
    return pd.concat([p for _, p in out], ignore_index=True), np.unique(
        np.concatenate([i for i, _ in out]))


def coerce_and_check(mapped: Mapped, indicators: dict[str, str], params: IngestParams
                     ) -> tuple[pd.DataFrame, np.ndarray, list[pd.DataFrame]]:
    """Typed canonical frame, reject mask and problems (types, ranges, nulls, table rules)."""
    table = mapped.table
    types = column_types(table, indicators)
    raw = mapped.raw
    rows = mapped.rows
    reject = mapped.reject.copy()
    problems = list(mapped.problems)
    typed: dict[str, Any] = {}
    for c in raw.columns:
        kind = types.get(c, TEXT)
        if kind == NUM:
            vals, bad = to_number(raw[c], mapped.decimal, mapped.thousands)
            vals = _implausible_numbers(vals, bad, reject, raw[c], rows, mapped, c, problems)
        else:
            vals, bad = COERCERS[kind](raw[c])
        bad &= ~reject
        if bad.any():
            header = mapped.source.get(c, c)
            problems.append(problem_frame(mapped.file, rows[bad], header, raw[c].to_numpy()[bad],
                                          ERROR, type_message(kind, header, params)))
            reject |= bad
        typed[c] = as_series(vals.to_numpy() if isinstance(vals, pd.Series) else vals)
    df = pd.DataFrame(typed, index=pd.RangeIndex(len(raw)))
    for c in df.columns:
        if types.get(c) in (NUM, YEAR, GRADE):
            df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    apply_scales(df, mapped.scales)
    if "year" in df.columns and mapped.year_is == "spring_calendar" and not mapped.year_fixed:
        df["year"] = spring_to_school_year(df["year"], raw["year"])
    if table == "results":
        _, line = detect_percent_marks(df, raw, mapped.source, ~reject, mapped.file,
                                       mapped.header_row if mapped.header_row else pd.NA, params)
        if line is not None:
            problems.append(line)
    # pandera: ranges, membership, required not null (type errors already reported)
    if reject.any():
        pframe, idx = pandera_problems(df[~reject].reset_index(drop=True),
                                       raw[~reject].reset_index(drop=True), rows[~reject], mapped,
                                       types, params)
    else:
        pframe, idx = pandera_problems(df, raw, rows, mapped, types, params)
    if len(idx):
        problems.append(pframe)
        live = np.flatnonzero(~reject)
        reject[live[idx]] = True
    # table-specific rules
    extra = table_rules(df, raw, rows, reject, mapped, params)
    for mask, frame in extra:
        reject |= mask
        problems.append(frame)
    return df, reject, problems


def _implausible_numbers(vals: pd.Series, bad: np.ndarray, reject: np.ndarray, raw: pd.Series,
                         rows: np.ndarray, mapped: Mapped, column: str,
                         problems: list[pd.DataFrame]) -> pd.Series:
    """Numbers that are not finite (inf, 1e400) or beyond any plausible value (1e300) are an
    error of their cell: the row is rejected (`reject` is set) and the values returned have a
    blank there."""
    arr = vals.to_numpy(dtype="float64", copy=True)
    with np.errstate(invalid="ignore"):
        huge = ~(np.abs(arr) <= PLAUSIBLE_ABS) & ~np.isnan(arr) & ~bad & ~reject
    if not huge.any():
        return vals
    header = mapped.source.get(column, column)
    problems.append(problem_frame(mapped.file, rows[huge], header, raw.to_numpy()[huge], ERROR,
                                  implausible_message(header)))
    arr[huge] = np.nan
    reject |= huge
    return pd.Series(arr, index=vals.index)


def table_rules(df: pd.DataFrame, raw: pd.DataFrame, rows: np.ndarray, reject: np.ndarray,
                mapped: Mapped, params: IngestParams) -> list[tuple[np.ndarray, pd.DataFrame]]:
    """Checks pandera cannot express: mark counts vs participants, percent sums, n_low; pupil
    rows need a mark or a score. Returns (rows to reject, problems) pairs."""
    if mapped.table == "results":
        return _results_rules(df, raw, rows, reject, mapped, params)
    if mapped.table == "results_students":
        return _pupil_rules(df, rows, reject, mapped)
    if mapped.table == "decisions":
        return decision_rules(df, raw, rows, reject, mapped)
    if mapped.table == "plan":
        return plan_rules(df, raw, rows, reject, mapped)
    return []


def _results_rules(df: pd.DataFrame, raw: pd.DataFrame, rows: np.ndarray, reject: np.ndarray,
                   mapped: Mapped, params: IngestParams) -> list[tuple[np.ndarray, pd.DataFrame]]:
    """School-level results: mark counts sum to the participants, percentages to 100, and no
    more low results than participants."""
    out: list[tuple[np.ndarray, pd.DataFrame]] = []
    file, src = mapped.file, mapped.source
    n = df["n_participants"]
    marks = [c for c in (f"n_mark{k}" for k in range(2, 6)) if c in df.columns]
    if marks:
        any_mark = df[marks].notna().any(axis=1)
        total = df[marks].fillna(0).sum(axis=1)
        bad = (any_mark & n.notna() & ((total - n).abs() > params.marks_sum_tolerance)
               ).to_numpy() & ~reject
        if bad.any():
            msgs = [f"сумма количеств отметок «2»–«5» ({show_value(t)}) не равна числу участников "
                    f"({show_value(v)}) — проверьте количества отметок и участников"
                    for t, v in zip(total[bad], n[bad])]
            out.append((bad, problem_frame(file, rows[bad], src["n_participants"],
                                           raw["n_participants"].to_numpy()[bad], ERROR, msgs)))
    pcts = [c for c in PCT_COLUMNS if c in df.columns]
    if pcts:
        any_pct = df[pcts].notna().any(axis=1)
        total = df[pcts].fillna(0).sum(axis=1)
        bad = (any_pct & ((total - 100).abs() > params.pct_sum_tolerance)).to_numpy() & ~reject
        if bad.any():
            first = sorted(pcts)[0]
            msgs = [f"сумма процентов отметок «2»–«5» равна {fmt_num(t, 1)}, а должна быть 100 — "
                    f"проверьте распределение" for t in total[bad]]
            out.append((bad, problem_frame(file, rows[bad], src[first],
                                           raw[first].to_numpy()[bad], ERROR, msgs)))
    if "n_low" in df.columns:
        bad = (df["n_low"] > n).to_numpy() & ~reject
        if bad.any():
            out.append((bad, problem_frame(
                file, rows[bad], src["n_low"], raw["n_low"].to_numpy()[bad], ERROR,
                "число обучающихся с низким результатом больше числа участников — проверьте")))
    return out


def _pupil_rules(df: pd.DataFrame, rows: np.ndarray, reject: np.ndarray, mapped: Mapped
                 ) -> list[tuple[np.ndarray, pd.DataFrame]]:
    """Pupil-level results: the file has a result column, and each row a mark or a score."""
    file, src = mapped.file, mapped.source
    have = [c for c in ("mark", "score", "is_low") if c in df.columns]
    if not have:
        where = mapped.where or f"«{file}»"
        raise DataError(f"Файл {where}: в файле с результатами обучающихся нужен столбец "
                        f"отметки (mark) или балла (score); в параметрах columns он не указан "
                        f"или не найден в файле")
    res = [c for c in ("mark", "score") if c in df.columns]
    if res:
        nothing = df[res].isna().all(axis=1).to_numpy() & ~reject
        if nothing.any():
            c = res[0]
            return [(nothing, problem_frame(
                file, rows[nothing], src[c], "", ERROR,
                "нет ни отметки, ни балла обучающегося — заполните результат или удалите строку"))]
    return []


def unknown_school_problems(df: pd.DataFrame, rows: np.ndarray, reject: np.ndarray,
                            mapped: Mapped, known_schools: set[str], params: IngestParams
                            ) -> tuple[np.ndarray, list[pd.DataFrame]]:
    """Codes of schools missing from the school list — repaired when they match after restoring
    leading zeros, removing spaces or «.0» (codes.py, one warning), else a problem (severity
    from params: an error rejects the row) — and unknown partner schools (a warning). Repaired
    codes are written into df. Returns (rows to reject, problems)."""
    file = mapped.file
    problems: list[pd.DataFrame] = []
    rejected = np.zeros(len(df), dtype=bool)
    unknown = _unknown(df, "school_id", known_schools, reject, params, mapped, problems)
    if unknown.any():
        sev = params.unknown_school_severity
        problems.append(problem_frame(
            file, rows[unknown], mapped.source["school_id"], df["school_id"].to_numpy()[unknown],
            sev, "школы с таким кодом нет в списке школ (таблица schools) — исправьте код "
                 "или добавьте школу в список"))
        if sev == ERROR:
            rejected = unknown
    for col in ("partner_school_id", "partner_id"):
        if col not in df.columns:
            continue
        badp = _unknown(df, col, known_schools, reject | rejected, params, mapped, problems)
        if badp.any():
            problems.append(problem_frame(
                file, rows[badp], mapped.source[col], df[col].to_numpy()[badp], WARNING,
                "школы-партнёра с таким кодом нет в списке школ — проверьте код"))
    return rejected, problems


def _unknown(df: pd.DataFrame, col: str, known: set[str], reject: np.ndarray,
             params: IngestParams, mapped: Mapped, problems: list[pd.DataFrame]) -> np.ndarray:
    """Rows whose code in `col` is not in the school list after the repairs (df updated)."""
    ids = df[col]
    unknown = (ids.notna() & ~ids.isin(known)).to_numpy() & ~reject
    repair = repair_codes(ids, unknown, known) if params.repair_codes else None
    if repair is None:
        return unknown
    fixed = ids.to_numpy(dtype=object).copy()
    fixed[repair.rows] = repair.codes
    df[col] = as_series(fixed)
    what = "коды школ" if col == "school_id" else "коды школ-партнёров"
    problems.append(repair_line(repair, mapped.file, mapped.source[col],
                                mapped.rows[repair.rows[0]], what))
    unknown = unknown.copy()
    unknown[repair.rows] = False
    return unknown


def duplicate_problems(df: pd.DataFrame, key: list[str], alive: np.ndarray, files: np.ndarray,
                       rows: np.ndarray, source: dict[str, str], raw_first: np.ndarray,
                       redact: bool = False) -> tuple[np.ndarray, pd.DataFrame | None]:
    """Later occurrences of a key (among rows still alive) are rejected; message names the first."""
    key = [k for k in key if k in df.columns]
    if not key or not alive.any():
        return np.zeros(len(df), bool), None
    sub = df.loc[alive, key]
    dup_local = sub.duplicated(keep="first").to_numpy()
    if not dup_local.any():
        return np.zeros(len(df), bool), None
    live_idx = np.flatnonzero(alive)
    first_pos = sub.groupby(key, dropna=False, sort=False).ngroup().to_numpy()
    first_of_group = pd.Series(live_idx).groupby(first_pos).transform("first").to_numpy()
    dup = np.zeros(len(df), bool)
    dup[live_idx[dup_local]] = True
    msgs = []
    for i in live_idx[dup_local]:
        j = first_of_group[np.searchsorted(live_idx, i)]
        where = f"строка {show_value(rows[j])}" if files[j] == files[i] else \
            f"файл «{files[j]}», строка {show_value(rows[j])}"
        keytxt = ", ".join(f"{source.get(k, k)} = {'(скрыто)' if redact and k == 'student_id' else show_value(df[k].iat[i])}"
                           for k in key)
        msgs.append(f"повтор записи ({keytxt}) — такая же уже есть ({where}); удалите лишнюю "
                    f"строку или исправьте ключ")
    k0 = key[0]
    if dup.sum() < 2000:
        frames = pd.concat([problem_frame(f, rows[i], source.get(k0, k0),
                                          "(скрыто)" if redact and k0 == "student_id" else raw_first[i],
                                          ERROR, m)
                            for f, i, m in zip(files[dup], np.flatnonzero(dup), msgs)],
                           ignore_index=True)
    else:  # many: one frame at once, then each row's own file
        frames = problem_frame(files[dup][0], rows[dup], source.get(k0, k0), raw_first[dup], ERROR,
                               msgs)
        frames["file"] = files[dup]
    return dup, frames
