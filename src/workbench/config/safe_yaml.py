"""Reading a params file with limits: its size, the number of aliases, the nesting depth and the
size of the document once aliases are expanded — so that a small «alias bomb» or a huge file
fails at once with a Russian message instead of running every stage and then hanging. The YAML
itself is read by PyYAML's safe loader (no Python tags)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 1_000_000    # a params file of a whole country is tens of kilobytes
MAX_ALIASES = 200        # `*anchor` references (column maps shared between yearly files)
MAX_DEPTH = 32           # nesting of mappings and lists
MAX_NODES = 200_000      # values once every alias is expanded


class YamlLimitError(ValueError):
    """The params file is over one of the limits (message in Russian)."""


class _LimitedLoader(yaml.SafeLoader):
    """The safe loader counting aliases and depth while it composes the document."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise YamlLimitError(f"слишком много ссылок-псевдонимов YAML (*имя): больше "
                                     f"{MAX_ALIASES}; повторите значения явно")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlLimitError(f"слишком глубокая вложенность (больше {MAX_DEPTH} уровней)")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Number of values of a node with every alias expanded (linear in the node graph)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = MAX_NODES + 1  # a node inside itself (a recursive alias) is over the limit
    if isinstance(node, yaml.SequenceNode):
        n = 1 + sum(_expanded_size(v, memo) for v in node.value)
    elif isinstance(node, yaml.MappingNode):
        n = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    else:
        n = 1
    memo[key] = min(n, MAX_NODES + 1)
    return memo[key]


def load_text(text: str) -> Any:
    """The document of a YAML text, within the limits (YamlLimitError) or yaml.YAMLError."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise YamlLimitError(f"файл параметров больше {MAX_BYTES // 1000} КБ — это не файл "
                             f"параметров")
    loader = _LimitedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_NODES:
            raise YamlLimitError(f"после раскрытия ссылок-псевдонимов YAML в файле больше "
                                 f"{MAX_NODES} значений (похоже на «бомбу» из псевдонимов)")
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read_params_file(path: Path) -> Any:
    """A params file's document: size checked before it is read, then `load_text`."""
    if path.stat().st_size > MAX_BYTES:
        raise YamlLimitError(f"файл параметров больше {MAX_BYTES // 1000} КБ — это не файл "
                             f"параметров")
    return load_text(path.read_text(encoding="utf-8"))
