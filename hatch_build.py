"""Compile the gettext catalogs (.po -> .mo) whenever the package is built or installed.

Runs for wheels, sdists and editable installs, so a fresh `pip install` shows translated
pages without needing GNU gettext on the machine.
"""

import os
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def compile_catalogs(root: Path) -> list[Path]:
    compiled = []
    for po_path in sorted((root / "src" / "treffpunkt").rglob("locale/*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        mo_path = po_path.with_suffix(".mo")
        # Written aside and renamed: two installs at once (the quick start's and the test
        # command's) never read a half-written catalog.
        partial = mo_path.with_name(f"{mo_path.stem}.{os.getpid()}.partial.mo")  # gitignored
        with partial.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        partial.replace(mo_path)
        compiled.append(mo_path)
    return compiled


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        for mo_path in compile_catalogs(root):
            relative = mo_path.relative_to(root).as_posix()
            if self.target_name == "wheel" and version != "editable":
                build_data["force_include"][str(mo_path)] = relative.removeprefix("src/")
            else:
                build_data.setdefault("artifacts", []).append(relative)
