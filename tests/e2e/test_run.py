"""End to end: `workbench demo` + `workbench run` on a small region, checked against the contract."""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workbench.config.stages import STAGES

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHECKER = ROOT.parent / "shared" / "tools" / "check_contract.py"

pytestmark = pytest.mark.slow


def _wb(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "workbench"), *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def small_region(demo60_full_run) -> Path:
    """A 60-school demo region in its own project folder: data/demo + params/demo.yaml."""
    return demo60_full_run[0]


@pytest.fixture(scope="module")
def full_run(demo60_full_run) -> Path:
    """`workbench run` with the notebooks on it (the shared session run)."""
    return demo60_full_run[1]


def test_run_satisfies_the_output_contract(full_run):
    if not CHECKER.exists():
        pytest.skip(f"contract checker not found at {CHECKER}")
    res = subprocess.run([sys.executable, str(CHECKER), str(full_run)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "contract OK" in res.stdout


def test_manifest_accounts_for_every_row(full_run):
    man = json.loads((full_run / "manifest.json").read_text(encoding="utf-8"))
    assert man["stages"] == [s.name for s in STAGES]  # every stage of the registry, in order
    assert man["inputs"], "no inputs recorded"
    for inp in man["inputs"]:
        assert inp["rows_read"] == inp["rows_kept"] + inp["rows_rejected"], inp
        assert len(inp["sha256"]) == 64
    assert set(man["seconds"]) >= set(man["stages"])
    nbs = sorted(p.name for p in (full_run / "notebooks").glob("*.html"))
    assert nbs == sorted(Path(s.notebook).stem + ".html" for s in STAGES)  # one per stage
    for p in (full_run / "notebooks").glob("*.html"):
        html = p.read_text(encoding="utf-8")
        assert "Traceback" not in html, f"{p.name}: an error was printed"
        assert "pipeline.open_context" not in html, f"{p.name}: code is visible"


def test_no_pupil_identifier_reaches_any_output(full_run, small_region):
    students = small_region / "data" / "demo" / "rdr_students.csv"
    if not students.exists():
        pytest.skip("the demo has no pupil-level file")
    ids = pd.read_csv(students, dtype=str, encoding="utf-8-sig", sep=None, engine="python").iloc[:, 0]
    ids = {i for i in ids.dropna() if len(i) >= 6}
    assert ids
    token = re.compile(r"[0-9A-Za-zА-Яа-я_\-]{6,}")
    scanned = 0
    for p in full_run.rglob("*"):
        if p.is_file() and p.suffix in {".csv", ".html", ".json", ".log", ".ipynb", ".xlsx",
                                        ".parquet"}:
            raw = p.read_bytes()
            if p.suffix in {".xlsx", ".parquet"}:  # compressed: look inside through pandas
                frames = (pd.read_excel(p, sheet_name=None, dtype=str, engine="calamine").values()
                          if p.suffix == ".xlsx" else [pd.read_parquet(p).astype(str)])
                text = "\n".join(f.to_csv(index=False) for f in frames)
            else:
                text = raw.decode("utf-8", errors="replace")
            leaked = ids & set(token.findall(text))
            assert not leaked, f"{p.relative_to(full_run)} contains pupil ids {sorted(leaked)[:3]}"
            scanned += 1
    assert scanned > 50


def test_bad_params_stop_with_a_russian_message_and_keep_outputs(full_run, small_region):
    before = (full_run / "manifest.json").read_bytes()
    bad = small_region / "params" / "bad.yaml"
    bad.write_text((small_region / "params" / "demo.yaml").read_text(encoding="utf-8")
                   + "\nidentificaton: {}\n", encoding="utf-8")
    out = _wb("run", bad)
    assert out.returncode == 2
    assert "identificaton" in out.stderr and "Traceback" not in out.stderr
    assert (full_run / "manifest.json").read_bytes() == before


def _tables_digest(run_dir: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((run_dir / "tables").glob("*.csv"))}


def test_two_runs_give_identical_tables(full_run, small_region):
    out = _wb("run", small_region / "params" / "demo.yaml", "--run-id", "again", "--no-notebooks")
    assert out.returncode == 0, out.stderr
    again = small_region / "outputs" / "again"
    assert _tables_digest(again) == _tables_digest(full_run)
