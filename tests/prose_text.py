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


# --- the fixer the typography test points to -------------------------------------------------------------------

YEAR_RANGE = re.compile(r"(?<![\w/.-])(1[89]\d\d)-(\d\d(?:\d\d)?)(?![\w-]|\.\w)")
# what a fix must leave alone: link targets, roles and inline code (a role's title before <target> is fixed)
PROTECTED = re.compile(r"(\]\([^)]*\))|(\{[\w:-]+\}`)([^`]*?)(\s*<[^>`]*>`)|((?:\{[\w:-]+\})?`[^`]*`)")


def _fix_text(text: str) -> str:
    def years(match):
        first, second = match.group(1), match.group(2)
        is_range = int(second) > int(first) if len(second) == 4 else int(second) > max(int(first[2:]), 12)
        return f"{first}\u2013{second}" if is_range else match.group(0)

    text = YEAR_RANGE.sub(years, text)
    text = re.sub(r"\b((?:pp?|nn)\.\s?\d+)-(\d+)\b", "\\1\u2013\\2", text)  # pages and notes
    text = re.sub(r"(?<![\w.-])(\d{1,3})-(\d{1,3})(?= min\b)", "\\1\u2013\\2", text)  # minutes of a seminar plan
    return re.sub(r"(?<![\w\-\u2013/.])-(\d)", "\u2212\\1", text)  # a hyphen as a minus sign


def fix_line(line: str) -> str:
    """En dashes in ranges and true minus signs in one prose line, outside links, roles and inline code."""
    out, position = [], 0
    for match in PROTECTED.finditer(line):
        out.append(_fix_text(line[position:match.start()]))
        out.append(match.group(2) + _fix_text(match.group(3)) + match.group(4) if match.group(2) else match.group(0))
        position = match.end()
    return "".join(out) + _fix_text(line[position:])


def fix_pages(paths: list[Path]) -> int:
    """Apply fix_line to the prose lines of these pages (code cells untouched); returns the lines changed."""
    changed = 0
    for path in paths:
        lines = path.read_text(encoding="utf-8").split("\n")
        for line in prose_lines(path):
            fixed = fix_line(lines[line.number - 1])
            if fixed != lines[line.number - 1]:
                lines[line.number - 1], changed = fixed, changed + 1
        path.write_text("\n".join(lines), encoding="utf-8")
    return changed


if __name__ == "__main__":
    # `python tests/prose_text.py [page.md ...]`: set the ranges and minus signs of the prose (all pages by default)
    import sys

    targets = [Path(a).resolve() for a in sys.argv[1:]] or pages()
    print(f"{fix_pages(targets)} prose lines changed")
