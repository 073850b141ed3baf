"""The import rules of docs/architecture.md, checked on the code: which app may import
which. ``core`` knows no product app; apps register what they add to shared ground."""

import ast
from pathlib import Path

import treffpunkt

PACKAGE = Path(treffpunkt.__file__).parent

# app: the apps it may import (besides itself). Keep in step with docs/architecture.md.
ALLOWED = {
    "core": set(),
    "accounts": {"core"},
    "moderation": {"core"},
    "blog": {"core", "accounts"},
    "comments": {"core", "accounts", "moderation", "blog"},
    "events": {"core", "accounts", "moderation", "blog"},
    "federation": {"core", "accounts", "moderation", "blog", "comments", "events"},
    "insights": {"core", "accounts", "moderation", "blog", "comments", "events"},
}
# The project's own modules that wire the apps together.
WIRING = {"settings", "urls", "asgi", "wsgi", "cli", "server", "__main__", "__init__"}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "treffpunkt" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_apps_import_only_what_the_architecture_allows():
    broken = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        app = relative.parts[0] if len(relative.parts) > 1 else relative.stem
        if app in WIRING or "migrations" in relative.parts:
            continue
        assert app in ALLOWED, f"{app} is a new app: add its import rule here and in the docs"
        for other in imported_apps(path) - {app} - WIRING:
            if other not in ALLOWED[app]:
                broken.append(f"{relative} imports treffpunkt.{other}")
    assert broken == []


def test_the_documented_rules_are_these():
    text = (PACKAGE.parents[1] / "docs" / "architecture.md").read_text()
    for app, allowed in ALLOWED.items():
        line = f"| `{app}` | {', '.join(f'`{a}`' for a in sorted(allowed)) or 'nothing'} |"
        assert line in text, line
