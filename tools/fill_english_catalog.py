"""English is the source language: fill the en catalog's empty entries with their msgids,
so that it is complete like the Dutch one (run by `make translations-update`)."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def fill(path: Path) -> int:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            if not all(message.string):
                message.string = tuple(message.id)
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, no_location=True, width=100)
    return filled


if __name__ == "__main__":
    target = Path(
        sys.argv[1] if len(sys.argv) > 1 else "cjm_workshop/translations/en/LC_MESSAGES/messages.po"
    )
    print(f"{target}: filled {fill(target)} entries")
