"""CJM Workshop: run Customer Journey Mapping workshops in a room.

`create_app` (cjm_workshop/app.py) is imported on first use, so that a process that needs
only a part of the package (the poster's render processes) does not load the web app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cjm_workshop.version import __version__

if TYPE_CHECKING:
    from cjm_workshop.app import create_app

__all__ = ["__version__", "create_app"]


def __getattr__(name: str):
    if name == "create_app":
        from cjm_workshop.app import create_app

        return create_app
    raise AttributeError(f"module 'cjm_workshop' has no attribute {name!r}")
