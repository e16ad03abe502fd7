"""`workbench check PARAMS.yaml`: every input read and validated without running the stages,
per file rows read / kept / rejected with years and procedures, the problems, and the gate's
verdict — exit 0 on a good params file, 3 when the gate would stop a run, 2 on bad params."""
from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from support.regions import write_region
from workbench.cli import app


def test_check_on_a_good_region(tmp_path):
    params = write_region(tmp_path)
    out = CliRunner().invoke(app, ["check", str(params)])
    assert out.exit_code == 0, out.output
    text = out.output
    assert "data/vpr/ВПР_2025.xlsx" in text and "2024/25" in text
    line = next(ln for ln in text.splitlines() if ln.startswith("data/ОГЭ.csv"))
    assert line.split()[1:5] == ["результаты", "216", "216", "0"] and "2022/23–2024/25" in line
    assert "восстановлены ведущие нули — 108" in text           # context codes lost their zeros
    assert "пропущено строк итогов и подытогов: 4" in text        # ФИС ОКО subtotals
    assert text.rstrip().splitlines()[-1].startswith("Проверка качества будет пройдена: "
                                                     "отклонено 0 из 1170 строк")
    assert not (tmp_path / "outputs").exists()                   # nothing written


def test_check_on_a_bad_region(tmp_path):
    params = write_region(tmp_path)
    ctx = tmp_path / "data" / "контекст.csv"
    df = pd.read_csv(ctx, sep=";", encoding="cp1251", dtype=str)
    df["Код ОО"] = "ИНН" + df["Код ОО"]
    df.to_csv(ctx, sep=";", encoding="cp1251", index=False)
    out = CliRunner().invoke(app, ["check", str(params)])
    assert out.exit_code == 3
    assert "Проверка качества НЕ будет пройдена: контекст — отклонено 100,0%" in out.output
    assert "Ошибка: Проверка качества данных не пройдена" in out.output
    assert "Файл «data/контекст.csv»: отклонено 108 из 108 строк" in out.output
    text = params.read_text(encoding="utf-8").replace("share_ovz", "share_ovs")
    params.write_text(text, encoding="utf-8")
    out = CliRunner().invoke(app, ["check", str(params)])
    assert out.exit_code == 2 and "возможно, share_ovz?" in out.output
