"""Count imports of the app's own packages made inside functions (issue 16).

    python scripts/local_imports.py [--list]

An import inside a function to dodge a circle means a module holds two concerns; the house
rule allows one only for a real optional dependency (with a comment saying why).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("forum", "ideas", "moderation", "rewards", "search", "knowledge")


def _own(name: str | None) -> bool:
    return bool(name) and name.split(".")[0] in PACKAGES


def local_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if in_function and isinstance(child, ast.Import):
                found.extend((child.lineno, a.name) for a in child.names if _own(a.name))
            elif in_function and isinstance(child, ast.ImportFrom) and child.level == 0 \
                    and _own(child.module):
                found.append((child.lineno, child.module))
            visit(child, inside)

    visit(tree, False)
    return found


def main(argv: list[str]) -> int:
    total = 0
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            hits = local_imports(path)
            total += len(hits)
            if "--list" in argv:
                for line, name in hits:
                    print(f"{path.relative_to(ROOT)}:{line}: {name}")
    print(f"function-local imports of the app's own modules: {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
