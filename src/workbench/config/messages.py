"""Russian messages of params validation: every pydantic error becomes a sentence that names the
key, says what is expected and, for an unknown key or name, offers the closest valid ones
(«возможно, share_ovz?»). No English text of pydantic reaches the user."""
from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any, Iterable

from pydantic import BaseModel

DOCS_PARAMS = "docs/params.md"
DOCS_TABLES = "docs/canonical_tables.md"
# discriminator tags of config unions, pydantic's union members and dict-key marks in locations
TAGS = {"<name>", "<spec>", "<direction>", "<indicator>", "[key]", "int", "str", "float", "bool"}


def closest(name: str, valid: Iterable[str], n: int = 3) -> list[str]:
    """The valid names closest to a misspelt one (difflib ratio ≥ 0.6), best first."""
    valid = list(valid)
    found = difflib.get_close_matches(name, valid, n=n, cutoff=0.6)
    if found:  # only those nearly as close as the best one
        ratio = {v: difflib.SequenceMatcher(None, name, v).ratio() for v in found}
        found = [v for v in found if ratio[v] >= ratio[found[0]] - 0.1]
    if not found:  # a different case or a missing underscore
        low = {v.lower().replace("_", ""): v for v in valid}
        key = name.lower().replace("_", "").replace("-", "")
        found = [low[k] for k in difflib.get_close_matches(key, list(low), n=n, cutoff=0.6)]
    return found


def did_you_mean(name: str, valid: Iterable[str]) -> str:
    """«; возможно, share_ovz?» or «» when nothing is close."""
    found = closest(name, valid)
    return f"; возможно, {' или '.join(found)}?" if found else ""


def _unwrap(annotation: Any, part: Any) -> Any:
    """The type reached from `annotation` by one step `part` of an error location."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0], part)
    if origin in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if is_model(unwrap_annotated(a))]
        return _unwrap(unwrap_annotated(models[0]), part) if models else None
    if origin in (list, tuple, set):
        return typing.get_args(annotation)[0]
    if origin is dict:
        return typing.get_args(annotation)[1]
    if is_model(annotation):
        field = annotation.model_fields.get(part)
        return field.annotation if field is not None else None
    return None


def unwrap_annotated(annotation: Any) -> Any:
    """The type inside `Annotated[...]` (the type itself when it is not annotated)."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def is_model(annotation: Any) -> bool:
    """Whether the annotation is a pydantic model class."""
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed at the place of the last part of `loc` (an unknown key's location)."""
    current: Any = model
    for part in loc[:-1]:
        if current is None:
            return []
        current = _unwrap(current, part)
    current = unwrap_annotated(current)
    origin = typing.get_origin(current)
    if origin in (typing.Union, types.UnionType):
        models = [unwrap_annotated(a) for a in typing.get_args(current) if is_model(unwrap_annotated(a))]
        current = models[0] if models else None
    return list(current.model_fields) if is_model(current) else []


def shown_loc(loc: tuple[Any, ...]) -> str:
    """A location as the user writes it in YAML (discriminator tags left out)."""
    return ".".join(str(x) for x in loc if not (isinstance(x, str) and x in TAGS))


def _expected(kind: str, ctx: dict[str, Any]) -> str | None:
    """What a value of this error kind should have been, in Russian."""
    simple = {
        "int_parsing": "ожидается целое число", "int_type": "ожидается целое число",
        "int_from_float": "ожидается целое число (без дробной части)",
        "float_parsing": "ожидается число", "float_type": "ожидается число",
        "finite_number": "ожидается конечное число",
        "bool_parsing": "ожидается true или false", "bool_type": "ожидается true или false",
        "string_type": "ожидается текст", "dict_type": "ожидается словарь (ключ: значение)",
        "model_type": "ожидается словарь (ключ: значение)",
        "model_attributes_type": "ожидается словарь (ключ: значение)",
        "list_type": "ожидается список ([a, b] или строки «- a»)",
        "none_required": "значение не задаётся", "string_unicode": "ожидается текст",
    }
    if kind in simple:
        return simple[kind]
    bounds = {"greater_than": ("gt", "больше"), "greater_than_equal": ("ge", "не меньше"),
              "less_than": ("lt", "меньше"), "less_than_equal": ("le", "не больше")}
    if kind in bounds:
        key, word = bounds[kind]
        bound = ctx.get(key)
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        return f"значение должно быть {word} {str(bound).replace('.', ',')}"
    if kind in ("literal_error", "enum"):
        allowed = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"допустимые значения: {allowed}"
    if kind == "string_pattern_mismatch":
        return f"значение не подходит под образец {ctx.get('pattern')}"
    if kind in ("too_short", "too_long"):
        word = "не меньше" if kind == "too_short" else "не больше"
        n = ctx.get("min_length" if kind == "too_short" else "max_length")
        return f"нужно {word} {n} элементов"
    return None


def format_error(err: dict[str, Any], model: type[BaseModel]) -> str:
    """One pydantic error as a Russian sentence naming the key."""
    raw_loc = tuple(err.get("loc", ()))
    loc = shown_loc(raw_loc)
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        key = str(raw_loc[-1]) if raw_loc else ""
        hint = did_you_mean(key, fields_at(model, raw_loc))
        return (f"неизвестный ключ «{loc}»{hint} (допустимые ключи и их значения по умолчанию — "
                f"в {DOCS_PARAMS})")
    if kind == "missing":
        return f"не задан обязательный ключ «{loc}»"
    value = err.get("input")
    shown = "" if isinstance(value, (dict, list)) else f" (значение: {value!r})"
    if kind in ("value_error", "assertion_error"):  # our own validators: Russian already
        text = str(err.get("ctx", {}).get("error", err.get("msg", "")))
        return f"ключ «{loc}»: {text}" if loc else text
    expected = _expected(kind, err.get("ctx") or {}) or "недопустимое значение"
    hint = ""
    if kind == "literal_error" and isinstance(value, str):
        allowed = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
        hint = did_you_mean(value, allowed)
    return f"ключ «{loc}»: {expected}{shown}{hint}"


def format_errors(errors: list[dict[str, Any]], model: type[BaseModel]) -> list[str]:
    """The Russian lines of all errors, one per location: the members of a union that all
    refused a value are said once («ожидается целое число или текст»)."""
    lines: list[str] = []
    by_loc: dict[str, int] = {}
    for err in errors:
        where = shown_loc(tuple(err.get("loc", ())))
        kind = err.get("type", "")
        if where in by_loc and kind != "extra_forbidden":
            expected = _expected(kind, err.get("ctx") or {})
            i = by_loc[where]
            if expected and expected not in lines[i] and "ожидается" in expected:
                lines[i] = re.sub(r"(ожидается [^(]+?)( \(значение|$)",
                                  lambda m: f"{m.group(1)} или {expected.replace('ожидается ', '')}"
                                            f"{m.group(2)}", lines[i], count=1)
            continue
        line = format_error(err, model)
        if line not in lines:
            by_loc[where] = len(lines)
            lines.append(line)
    return lines
