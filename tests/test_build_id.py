import importlib
import sys
from pathlib import Path

import pytest

from tandem.build_id import build_id


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = tmp_path / "somepkg"
    (root / "inner").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "flow.py").write_text("STEPS = 1\n")
    (root / "inner" / "__init__.py").write_text("")
    (root / "notes.txt").write_text("not code")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield root
    sys.modules.pop("somepkg", None)


def _id(root: Path, sdk: str = "1.0") -> str:
    return build_id([importlib.import_module(root.name)], sdk)


def test_same_code_same_id(package: Path) -> None:
    first = _id(package)
    (package / "notes.txt").write_text("other words")  # not source
    assert _id(package) == first
    assert len(first) == 32


def test_a_changed_source_file_changes_the_id(package: Path) -> None:
    first = _id(package)
    (package / "flow.py").write_text("STEPS = 2\n")
    assert _id(package) != first


def test_a_new_or_moved_source_file_changes_the_id(package: Path) -> None:
    first = _id(package)
    (package / "inner" / "flow.py").write_text("STEPS = 1\n")
    second = _id(package)
    (package / "flow.py").unlink()
    assert len({first, second, _id(package)}) == 3


def test_the_sdk_version_is_part_of_the_id(package: Path) -> None:
    assert _id(package, "1.0") != _id(package, "1.1")
