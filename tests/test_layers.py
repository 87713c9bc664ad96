"""The packages are layers and imports only point down: config → okuyami → procedures → core.

Read from the source with `ast`, so an import inside a function counts as much as one at the
top. A new module is covered the moment it exists.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("core", "procedures", "okuyami", "config")  # lowest first
# The rules and the documents they read and write: plain Python, testable without Django.
PURE = (
    "core/collector.py",
    "core/limits.py",
    "procedures/rules.py",
    "procedures/date_limits.py",
    "procedures/deadlines.py",
    "procedures/catalog.py",
    "procedures/catalog_io.py",
    "procedures/catalog_changes.py",
    "procedures/catalog_labels.py",
    "procedures/catalog_errors.py",
    "procedures/catalog_xlsx.py",
    "procedures/evaluation.py",
    "procedures/warnings.py",
    "procedures/form_pdf.py",
    "procedures/catalog_forms.py",
    "procedures/catalog_bundle.py",
    "procedures/form_images.py",
    "okuyami/guide.py",
    "okuyami/display.py",
    "procedures/wareki.py",
    "procedures/facts.py",
    "okuyami/residents/extract.py",
    "okuyami/residents/kana.py",
    "okuyami/residents/records.py",
    "okuyami/residents/live.py",
    "okuyami/residents/sample.py",
    "okuyami/precheck/codes.py",
    "okuyami/interview.py",
    "okuyami/merge.py",
)


def imported_modules(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, relative ones resolved."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *([base] if base else [])])
            found.append((node.lineno, base))
    return found


def modules_of(layer: str) -> list[Path]:
    return sorted((ROOT / layer).rglob("*.py"))


def test_every_layer_has_modules():
    assert all(modules_of(layer) for layer in LAYERS)


@pytest.mark.parametrize("layer", LAYERS)
def test_no_module_imports_a_layer_above_its_own(layer):
    above = LAYERS[LAYERS.index(layer) + 1 :]
    upward = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in modules_of(layer)
        for line, module in imported_modules(path)
        if module.split(".")[0] in above
    ]
    assert upward == []


@pytest.mark.parametrize("module", PURE)
def test_the_rules_import_no_django(module):
    imports = [name for _, name in imported_modules(ROOT / module)]
    assert [name for name in imports if name.split(".")[0] in ("django", "rest_framework")] == []


def test_the_parser_finds_imports_inside_functions_and_relative_ones(tmp_path):
    source = tmp_path / "core" / "web" / "x.py"
    source.parent.mkdir(parents=True)
    source.write_text(
        "def f():\n    from okuyami import views\n    from ..models import A\n    import config.urls\n"
    )
    found = [module for _, module in imported_modules(source, tmp_path)]
    assert found == ["okuyami", "core.models", "config.urls"]
