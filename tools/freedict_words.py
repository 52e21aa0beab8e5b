"""Write cjm_workshop/data/freedict-nld-eng-<version>.tsv.gz: the Dutch-English word pairs
of FreeDict's two dictionaries, which suggested duplicates use to see the same word in the
other language (services/duplicates.py). Read from Debian's packages:

    apt-get install dict-freedict-nld-eng dict-freedict-eng-nld
    .venv/bin/python tools/freedict_words.py

Each line is a Dutch word, a tab, and its English translations of at most three words
(lower case, "to " cut), joined by "|". FreeDict is GPL-2.0-or-later (see the data file's
README in cjm_workshop/data/); it is run once and its output committed, so the app needs
no system package.
"""

from __future__ import annotations

import gzip
import re
import sys
from collections import defaultdict
from pathlib import Path

DICTD = Path("/usr/share/dictd")
OUT = Path(__file__).resolve().parent.parent / "cjm_workshop" / "data"
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_NUMBERED = re.compile(r"^\s*\d+\.\s*")
_PHONETIC = re.compile(r"\s*/[^/]*/\s*$")
_LEADING = re.compile(r"^(to|a|an|the|de|het|een) ")
MAX_WORDS = 3


def _number(text: str) -> int:
    value = 0
    for char in text:
        value = value * 64 + _B64.index(char)
    return value


def entries(name: str):
    """(headword, [translations]) of one dictd dictionary, in the index's order."""
    data = gzip.decompress((DICTD / f"freedict-{name}.dict.dz").read_bytes())
    for line in (DICTD / f"freedict-{name}.index").read_text("utf-8").splitlines():
        head, offset, length = line.split("\t")
        if head.startswith("00-database"):
            continue
        body = data[_number(offset) : _number(offset) + _number(length)].decode("utf-8")
        translations = []
        for text in body.split("\n")[1:]:
            text = _NUMBERED.sub("", text).strip()
            translations += [part.strip() for part in text.split(",") if part.strip()]
        yield head, translations


def _clean(text: str) -> str | None:
    text = _LEADING.sub("", _PHONETIC.sub("", text).strip().lower())
    return text if text and len(text.split()) <= MAX_WORDS and "\t" not in text else None


def pairs() -> dict[str, set[str]]:
    found: defaultdict[str, set[str]] = defaultdict(set)
    for name, dutch_first in (("nld-eng", True), ("eng-nld", False)):
        for head, translations in entries(name):
            head = _clean(head)
            for translation in map(_clean, translations):
                if head and translation and head != translation:
                    dutch, english = (head, translation) if dutch_first else (translation, head)
                    found[dutch].add(english)
    return found


def version() -> str:
    """FreeDict's release, from the first line of the package's Debian changelog."""
    changelog = Path("/usr/share/doc/dict-freedict-nld-eng/changelog.Debian.gz")
    first = gzip.decompress(changelog.read_bytes()).decode("utf-8").splitlines()[0]
    return first.split("(")[1].split("-")[0]


def main() -> None:
    found = pairs()
    path = OUT / f"freedict-nld-eng-{version()}.tsv.gz"
    lines = [f"{dutch}\t{'|'.join(sorted(english))}\n" for dutch, english in sorted(found.items())]
    with gzip.GzipFile(path, "wb", mtime=0) as handle:
        handle.write("".join(lines).encode("utf-8"))
    print(
        f"{path.name}: {len(lines)} Dutch words, {path.stat().st_size // 1024} KiB", file=sys.stderr
    )


if __name__ == "__main__":
    main()
