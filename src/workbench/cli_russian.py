"""The command line's own text in Russian: usage lines, help panels, the help option and the
errors of a mistyped command (design §5: everything a user reads is Russian).

typer words these in English, partly in its own vendored copy of click with plain f-strings, so
they cannot be translated by a message catalogue. `RussianCommand` and `RussianGroup` (the `cls`
of every command and of the app) word the usage line and the help option themselves and turn
each usage error into a Russian one; `install_panel_titles` sets the titles of typer's help
panels. What typer words differently in a later version stays readable English, and
tests/test_cli.py fails on it."""
from __future__ import annotations

import re
from typing import Any

import typer.rich_utils
from typer.core import TyperArgument, TyperCommand, TyperGroup

try:  # the exception classes of the click that typer runs on (vendored since typer 0.25)
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - an older typer on plain click
    from click import exceptions as click_errors

USAGE = "Запуск: "
HELP_OPTION = "Показать эту справку и выйти."
OPTIONS_METAVAR = "[ПАРАМЕТРЫ]"
SUBCOMMAND_METAVAR = "КОМАНДА [АРГУМЕНТЫ]..."
PANEL_TITLES = {
    "ARGUMENTS_PANEL_TITLE": "Аргументы",
    "OPTIONS_PANEL_TITLE": "Параметры",
    "COMMANDS_PANEL_TITLE": "Команды",
    "ERRORS_PANEL_TITLE": "Ошибка",
    "REQUIRED_LONG_STRING": "[обязательно]",
    "DEFAULT_STRING": "[по умолчанию: {}]",
    "ABORTED_TEXT": "Прервано.",
    "RICH_HELP": "Справка: [blue]{command_path} {help_option}[/]",
}
# typer's type labels in the help panels («<path>»), for arguments (options carry a metavar)
TYPE_LABELS = {"<path>": "путь", "<str>": "текст", "<int>": "целое", "<float>": "число"}
# what a value given on the command line should have been, by pydantic's error type
EXPECTED = {"int_parsing": "ожидается целое число", "float_parsing": "ожидается число",
            "bool_parsing": "ожидается да или нет", "int_from_float": "ожидается целое число"}


def install_panel_titles() -> None:
    """Russian titles of typer's help and error panels (read by typer at every call)."""
    for name, text in PANEL_TITLES.items():
        setattr(typer.rich_utils, name, text)


def _hint(exc: click_errors.BadParameter) -> str:
    """«--schools» / «params»: the parameter an error is about."""
    if exc.param_hint is not None:
        hints = [exc.param_hint] if isinstance(exc.param_hint, str) else list(exc.param_hint)
        return " / ".join(hints)
    if isinstance(exc.param, TyperArgument):
        return exc.param.metavar or str(exc.param.name)
    if exc.param is not None:
        return " / ".join(exc.param.opts) if exc.param.opts else str(exc.param.name)
    return ""


def _bad_value(exc: click_errors.BadParameter) -> str:
    """What was wrong with a value, in Russian when the reason is known."""
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        first = (errors() or [{}])[0]
        if first.get("type") in EXPECTED:
            return f"{EXPECTED[first['type']]}, получено «{first.get('input')}»"
    return exc.message


def russian_error(exc: click_errors.UsageError) -> click_errors.UsageError:
    """The same error worded in Russian (an unknown kind keeps its own text)."""
    if isinstance(exc, click_errors.NoSuchOption):
        text = f"нет такого параметра: {exc.option_name}"
        if exc.possibilities:
            text += f"; возможно, {' или '.join(sorted(exc.possibilities))}?"
    elif isinstance(exc, click_errors.MissingParameter):
        kind = "аргумент" if isinstance(exc.param, TyperArgument) else "параметр"
        text = f"не указан {kind} {_hint(exc)}".rstrip()
    elif isinstance(exc, click_errors.BadParameter):
        text = f"неверное значение {_hint(exc)}: {_bad_value(exc)}"
    elif m := re.match(r"No such command '(.*?)'\.(?: Did you mean (.*)\?)?", exc.message):
        text = f"нет такой команды: «{m.group(1)}»"
        if m.group(2):
            text += f"; возможно, {m.group(2).replace(chr(39), '')}?"
    elif m := re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", exc.message):
        text = f"лишние аргументы: {m.group(1)}"
    elif isinstance(exc, click_errors.BadOptionUsage) and "requires" in exc.message:
        text = f"после {exc.option_name} нужно значение"
    else:
        return exc
    return click_errors.UsageError(text, exc.ctx)


class _Russian:
    """The usage line, the help option and usage errors in Russian (mixed into typer's classes)."""

    def format_usage(self, ctx, formatter) -> None:  # noqa: ANN001 - click's signature
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE)

    def get_help_option(self, ctx):  # noqa: ANN001, ANN201
        option = super().get_help_option(ctx)
        if option is not None:
            option.help, option.metavar = HELP_OPTION, ""
        return option

    def parse_args(self, ctx, args):  # noqa: ANN001, ANN201
        try:
            return super().parse_args(ctx, args)
        except click_errors.UsageError as exc:
            raise russian_error(exc) from None


def _russian_type_label(argument: TyperArgument) -> None:
    """An argument's type label in the help panel in Russian («путь», not «<path>»)."""
    english = argument.display_type_rich

    def display_type_rich(ctx: Any) -> str | None:
        label = english(ctx)
        return TYPE_LABELS.get(label, label)

    argument.display_type_rich = display_type_rich


class RussianCommand(_Russian, TyperCommand):
    """A typer command that speaks Russian."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        kwargs["options_metavar"] = OPTIONS_METAVAR
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument):
                _russian_type_label(param)


class RussianGroup(_Russian, TyperGroup):
    """The typer app's group that speaks Russian."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        kwargs["options_metavar"] = OPTIONS_METAVAR
        kwargs["subcommand_metavar"] = SUBCOMMAND_METAVAR
        super().__init__(*args, **kwargs)

    def resolve_command(self, ctx, args):  # noqa: ANN001, ANN201
        try:
            return super().resolve_command(ctx, args)
        except click_errors.UsageError as exc:
            raise russian_error(exc) from None
