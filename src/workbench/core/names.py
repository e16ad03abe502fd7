"""Names that become files: run ids (folders of outputs/), school codes (passports) and
municipality names (pages, tech-map workbooks).

The one rule: a name from params or data becomes a single safe path component — ASCII letters,
digits, «-» and «_» only, never empty, never starting with a dot, never one of the names the
workbench keeps for itself (`latest`, `store.duckdb`) or a Windows device name (the folder may
be copied to a Windows machine), at most `MAX_STEM` characters before a suffix — and the names
of one folder never share a file, even on a case-insensitive disk. When two names would share a
file (Ельнинский / Эльнинский, `X/1` / `X_1`), each gets a short hash of its own text as a suffix
(`elninskiy-1a2b3c4d`); a name written exactly as its file (`X_1`) keeps the plain file. The
suffix depends only on the name, so a name keeps its file from run to run while its
neighbours do not change.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Iterable, Literal

MAX_STEM = 60          # characters of a stem before the hash suffix
HASH_LEN = 8           # hex digits of the suffix (longer only if two suffixes ever meet)
RESERVED = frozenset({"latest", "store.duckdb", "store.duckdb.wal"})
WINDOWS_DEVICES = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                             *(f"lpt{i}" for i in range(1, 10))})
RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,80}")

_TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # letters of the republics' languages and of neighbours, so their names stay readable
    "ә": "a", "ө": "o", "ү": "u", "җ": "zh", "ң": "n", "һ": "h", "ҙ": "z", "ҡ": "k", "ғ": "g",
    "ҫ": "s", "ӑ": "a", "ӗ": "e", "ӳ": "u", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
    "ў": "u", "ӧ": "o", "ӱ": "u", "ҥ": "n"})


def reserved_reason(name: str) -> str | None:
    """Why a name cannot be a file of the workbench's folders (Russian), or None."""
    low = name.casefold()
    if not name:
        return "пустое имя"
    if name.startswith("."):
        return "имя не может начинаться с точки (такие имена — служебные папки запуска)"
    if low in RESERVED:
        return f"имя «{name}» занято самой программой (latest, store.duckdb)"
    if low.split(".")[0] in WINDOWS_DEVICES:
        return f"имя «{name}» — имя устройства Windows, такой файл нельзя открыть в Windows"
    return None


def check_run_id(run_id: str) -> str:
    """A run id from params or `--run-id`: one folder of outputs/, never a reserved name.
    Raises ValueError with a Russian message (shown to the user as is)."""
    if not RUN_ID.fullmatch(run_id) or ".." in run_id:
        raise ValueError("run_id: только латинские буквы, цифры, «_», «-», «.» (до 81 знака), "
                         "первый знак — буква или цифра; без «/» и «..»")
    why = reserved_reason(run_id)
    if why:
        raise ValueError(f"run_id: {why}; выберите другое имя запуска")
    return run_id


def slugify(text: str) -> str:
    """ASCII file-name slug of a Russian name (transliterated, lower case), stable across runs;
    not unique by itself — `file_stems` makes the names of a folder unique."""
    s = unicodedata.normalize("NFKC", str(text)).lower().translate(_TRANSLIT)
    s = "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s or "x"


def code_stem(code: str) -> str:
    """A code (school id) as a file stem: ASCII letters, digits, «-», «_» kept as written,
    anything else «_»; not unique by itself."""
    s = re.sub(r"[^A-Za-z0-9_\-]", "_", str(code)).lstrip("-")
    return s or "_"


def _suffix(name: str, n: int) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def file_stems(names: Iterable[str], kind: Literal["slug", "code"] = "slug") -> dict[str, str]:
    """name → file stem for every name of one folder: safe, unique (case-insensitively) and
    stable (see the module docstring). kind: «slug» transliterates (municipalities), «code»
    keeps letters and digits as written (school codes)."""
    make = slugify if kind == "slug" else code_stem
    base = {n: make(n)[:MAX_STEM].rstrip("-") or "x" for n in {str(x) for x in names}}
    groups: dict[str, list[str]] = {}
    for n, b in base.items():
        groups.setdefault(b.casefold(), []).append(n)
    out: dict[str, str] = {}
    hashed: list[str] = []
    for members in groups.values():
        plain = [n for n in members if n == base[n]]
        if reserved_reason(base[members[0]]) is None and (len(members) == 1 or len(plain) == 1):
            keep = members[0] if len(members) == 1 else plain[0]
            out[keep] = base[keep]
            hashed += [n for n in members if n != keep]
        else:
            hashed += members
    taken = {s.casefold() for s in out.values()}
    for n in sorted(hashed):
        for length in range(HASH_LEN, 65, 4):  # a longer suffix only if two ever meet
            stem = f"{base[n]}-{_suffix(n, length)}"
            if stem.casefold() not in taken:
                break
        out[n] = stem
        taken.add(stem.casefold())
    return out
