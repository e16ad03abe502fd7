"""Reading what an executed notebook showed (one helper for every notebook test)."""
from __future__ import annotations

from pathlib import Path

import nbformat


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def shown_text(nb: nbformat.NotebookNode) -> str:
    """Everything the code cells displayed as HTML, Markdown or plain text, joined."""
    parts = []
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        for o in c.get("outputs", []):
            data = o.get("data", {})
            parts += [str(data.get(k, "")) for k in ("text/html", "text/markdown", "text/plain")]
            parts.append(str(o.get("text", "")))
    return "".join(parts)


def images(nb: nbformat.NotebookNode) -> list[str]:
    """The base64 PNG images the notebook displayed."""
    return [o["data"]["image/png"] for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if "image/png" in o.get("data", {})]


def errors(nb: nbformat.NotebookNode) -> list[str]:
    """Error outputs (ename: evalue) of any cell."""
    return [f"{o.get('ename')}: {o.get('evalue')}" for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]
