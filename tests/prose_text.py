"""The prose of the book's Markdown pages, as a reader gets it: what lies outside code cells, front matter,
directive options and labels, with link targets, role targets and inline code taken out.

Used by tests/test_numbers.py to check the typography of the prose (en dashes in ranges, true minus signs,
a capital letter where a number opens a sentence)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = ROOT / "tests" / "snapshots"

CODE_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(\{code-cell\}|\{code\}|\{code-block\}|[A-Za-z0-9_+-]*)\s*(\S.*)?$")
ANY_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
ROLE_WITH_TARGET = re.compile(r"\{[\w:-]+\}`([^`<]*?)\s*<[^>`]*>`")
EVAL = re.compile(r"\{eval\}`([^`]+)`")
ROLE = re.compile(r"\{(doc|ref|numref|download|term|cite:[tp]|cite)\}`([^`]*)`")
CODE = re.compile(r"`[^`]*`")
URL = re.compile(r"https?://\S+")


@dataclass
class ProseLine:
    path: Path
    number: int  # 1-based line number in the file
    text: str    # the line as a reader sees it, with {eval} roles kept as {eval}`name`

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.number}"


def pages() -> list[Path]:
    return sorted([ROOT / "index.md", *(ROOT / "chapters").rglob("*.md")])


def prose_lines(path: Path) -> list[ProseLine]:
    """The prose lines of one page: outside front matter and code blocks (code cells, plain ``` blocks),
    without directive option lines (`:name:`) or target labels (`(fig-x)=`)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out, fence, start = [], None, 0
    if lines and lines[0].strip() == "---":
        start = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0) + 1
    for index in range(start, len(lines)):
        line = lines[index]
        if fence:
            if re.match(rf"^\s*{re.escape(fence)}\s*$", line):
                fence = None
            continue
        opening = CODE_FENCE.match(line)
        if opening:
            fence = opening.group(1)  # a code block: skipped to its closing fence
            continue
        if ANY_FENCE.match(line) or re.match(r"^\s*:{3,}", line):
            continue  # the opening or closing line of a directive whose body is prose
        stripped = line.strip()
        if re.match(r"^:[\w-]+:", stripped) or re.match(r"^\([\w:.-]+\)=$", stripped) or stripped.startswith("<!--"):
            continue
        text = LINK.sub(r"\1", line)
        text = ROLE_WITH_TARGET.sub(r"\1", text)
        text = EVAL.sub(lambda m: "\0" + m.group(1) + "\0", text)  # keep evals, drop other code
        text = ROLE.sub(lambda m: "" if m.group(1).startswith("cite") or m.group(1) in ("ref", "numref", "doc")
                        else m.group(2), text)
        text = URL.sub("", CODE.sub("", text))
        text = re.sub("\0([^\0]*)\0", r"{eval}`\1`", text)
        out.append(ProseLine(path, index + 1, text))
    return out


def paragraphs(path: Path) -> list[tuple[ProseLine, str]]:
    """Consecutive prose lines joined into paragraphs: (first line, text)."""
    result, current, first, last_number = [], [], None, None
    for line in prose_lines(path):
        if not line.text.strip() or (last_number is not None and line.number != last_number + 1):
            if current:
                result.append((first, " ".join(current)))
            current, first = [], None
        if line.text.strip():
            if first is None:
                first = line
            current.append(line.text.strip())
        last_number = line.number
    if current:
        result.append((first, " ".join(current)))
    return result


def recorded_values(path: Path) -> dict[str, str]:
    """The prose values a page's guard cell printed (`name = value`), as recorded in tests/snapshots."""
    try:
        relative = path.resolve().relative_to(ROOT / "chapters").with_suffix("")
    except ValueError:
        return {}
    snapshot = SNAPSHOTS / ("--".join(relative.parts) + ".json")
    if not snapshot.exists():
        return {}
    values = {}
    for outputs in json.loads(snapshot.read_text(encoding="utf-8")):
        for output in outputs:
            for line in output.get("text", "").splitlines():
                name, sep, value = line.partition(" = ")
                if sep and re.fullmatch(r"[A-Za-z_]\w*", name):
                    values[name] = value
    return values
