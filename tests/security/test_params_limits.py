"""Security: params are parsed with limits (issue 17, item 12) — an alias bomb, a deep nesting,
a recursive alias, a huge file fail at once with a Russian message (exit 2); ordinary anchors
(one column map shared by yearly files) still work."""
from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

from workbench import cli
from workbench.config import ParamsError, load_params

HEAD = "run_id: t\ninputs:\n  schools: {path: data/s.csv}\n"


def _bomb(levels: int = 9, width: int = 9) -> str:
    lines = ['a0: &a0 ["' + "ш" * 40 + '"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return HEAD + "context_indicators: {}\nextra:\n" + "\n".join("  " + x for x in lines) + "\n"


CASES = {
    "alias_bomb": (_bomb(), "псевдоним"),
    "many_aliases": (HEAD + "x: &x 1\nl: [" + ", ".join(["*x"] * 500) + "]\n", "псевдоним"),
    "deep_nesting": (HEAD + "deep: " + "[" * 200 + "]" * 200 + "\n", "вложенность"),
    "recursive_alias": (HEAD + "loop: &l [*l]\n", "псевдоним"),
    "huge_file": (HEAD + "# " + "x" * 2_000_000 + "\n", "КБ"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_params_over_a_limit_fail_fast_in_russian(tmp_path, name):
    text, word = CASES[name]
    f = tmp_path / "p.yaml"
    f.write_text(text, encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(ParamsError) as info:
        load_params(f)
    assert time.perf_counter() - t0 < 5
    assert word in str(info.value) and str(f) in str(info.value)


def test_alias_bomb_through_the_cli_is_exit_2(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(_bomb(), encoding="utf-8")
    assert len(f.read_bytes()) < 10_000  # a small file, as in the issue
    out = CliRunner().invoke(cli.app, ["run", str(f), "--no-notebooks"])
    assert out.exit_code == 2 and "псевдоним" in out.output and "Traceback" not in out.output
    assert not (tmp_path / "outputs").exists()


def test_ordinary_anchors_still_work(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("run_id: t\ninputs:\n  schools: {path: data/s.csv}\n  results:\n"
                 "    - {path: data/r1.csv, columns: &cols {\"Код ОО\": school_id, \"Год\": year}}\n"
                 "    - {path: data/r2.csv, columns: *cols}\n", encoding="utf-8")
    p = load_params(f)
    specs = p.inputs.results if isinstance(p.inputs.results, list) else [p.inputs.results]
    assert [s.columns for s in specs][0] == [s.columns for s in specs][1]
