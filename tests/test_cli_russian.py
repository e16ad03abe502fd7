"""The command line's own text is Russian: help of every command and the errors of a mistyped
command, with their exit code 2 (README: 2 — data or params)."""
from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from workbench import cli

# English that typer and click print when their text is not replaced
ENGLISH = re.compile(r"Usage|Options|Arguments|Commands|Error|Show this|required|default|"
                     r"Missing|No such|Invalid|Got unexpected|Try |for help|<bool>|<path>|<int>|"
                     r"Possible|Did you mean|requires")


def _out(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli.app, args, prog_name="workbench",
                                env={"COLUMNS": "100", "NO_COLOR": "1"})
    return result.exit_code, result.output


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["demo", "--help"],
                                  ["check", "--help"], ["present", "--help"]])
def test_help_is_russian(args):
    code, out = _out(args)
    assert code == 0
    assert "Запуск: workbench" in out and "Показать эту справку и выйти." in out
    assert not ENGLISH.search(out), ENGLISH.search(out).group(0)


@pytest.mark.parametrize("args, says", [
    (["run"], "не указан аргумент ПАРАМЕТРЫ.yaml"),
    (["run", "p.yaml", "--outptus", "o"], "нет такого параметра: --outptus; возможно, --outputs?"),
    (["demo", "--schools", "abc"], "неверное значение --schools: ожидается целое число, получено «abc»"),
    (["demo", "--effect", "x"], "неверное значение --effect: ожидается число, получено «x»"),
    (["rn"], "нет такой команды: «rn»; возможно, run?"),
    (["frobnicate"], "нет такой команды: «frobnicate»"),
    (["run", "a.yaml", "b.yaml"], "лишние аргументы: b.yaml"),
    (["run", "a.yaml", "--run-id"], "после --run-id нужно значение"),
])
def test_a_mistyped_command_is_told_in_russian_with_exit_2(args, says):
    code, out = _out(args)
    assert code == 2
    assert says in " ".join(out.split()), out
    assert not ENGLISH.search(out), ENGLISH.search(out).group(0)
