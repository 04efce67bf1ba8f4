"""docs/api.md stays true: every public service and CRUD function is there with its current
signature, nothing documented is gone from the code, and the examples run."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import tempfile
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import netraven_desktop.core.crud as crud_package
import netraven_desktop.core.services as services_package
from netraven_desktop.core.services.dual import dual

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
PACKAGES = (("services", services_package), ("crud", crud_package))


def _format_args(args: ast.arguments) -> str:
    """The parameter list as the doc writes it (from the source, so defaults read as code)."""

    def one(arg: ast.arg, default: ast.expr | None = None) -> str:
        text = arg.arg
        if arg.annotation is not None:
            text += ": " + ast.unparse(arg.annotation)
        if default is not None:
            text += (" = " if arg.annotation is not None else "=") + ast.unparse(default)
        return text

    parts = []
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for index, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
        parts.append(one(arg, default))
        if args.posonlyargs and index == len(args.posonlyargs) - 1:
            parts.append("/")
    if args.vararg:
        parts.append("*" + one(args.vararg))
    elif args.kwonlyargs:
        parts.append("*")
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        parts.append(one(arg, default))
    if args.kwarg:
        parts.append("**" + one(args.kwarg))
    return ", ".join(parts)


def signature_text(fn: Any) -> str:
    """`name(params) -> result`, `async ` first for a coroutine function (`@dual` unwrapped)."""
    source = textwrap.dedent(inspect.getsource(inspect.unwrap(fn)))
    node = next(
        n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    )
    result = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    prefix = "async " if isinstance(node, ast.AsyncFunctionDef) else ""
    return f"{prefix}{node.name}({_format_args(node.args)}){result}"


def _modules() -> list[tuple[str, ModuleType]]:
    found = []
    for label, package in PACKAGES:
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            module = importlib.import_module(info.name)
            found.append((label + info.name.removeprefix(package.__name__), module))
    return found


def public_api() -> dict[str, Any]:
    """`services.devices.add_device` -> function, for every public function defined in a
    service or CRUD module and every public method defined in one of their public classes."""
    api: dict[str, Any] = {}
    for prefix, module in _modules():
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                api[f"{prefix}.{name}"] = obj
            elif inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if isinstance(member, classmethod | staticmethod):
                        member = member.__func__
                    if not attr.startswith("_") and inspect.isfunction(member):
                        api[f"{prefix}.{name}.{attr}"] = member
    return api


def documented() -> dict[str, str | None]:
    """Each reference heading of docs/api.md -> the signature line of its code block."""
    text = API_DOC.read_text(encoding="utf-8")
    entries: dict[str, str | None] = {}
    pattern = re.compile(
        r"^#{3,4} `([\w.]+)`(?! \(class\))[^\n]*\n\n(?:```python\n([^\n]*)\n```)?", re.M
    )
    for match in pattern.finditer(text):
        entries[match.group(1)] = match.group(2)
    return entries


def test_every_public_function_is_documented_with_its_signature() -> None:
    api, docs = public_api(), documented()
    missing = [
        f"### `{key}`\n\n```python\n{signature_text(fn)}\n```"
        for key, fn in api.items()
        if key not in docs
    ]
    assert not missing, "add to docs/api.md:\n\n" + "\n\n".join(missing)
    stale = {
        key: (docs[key], signature_text(fn))
        for key, fn in api.items()
        if docs[key] != signature_text(fn)
    }
    assert not stale, "signatures in docs/api.md differ from the code (documented, actual):\n" + (
        "\n".join(f"{key}:\n  {old}\n  {new}" for key, (old, new) in stale.items())
    )


def test_nothing_documented_is_gone_from_the_code() -> None:
    gone = sorted(set(documented()) - set(public_api()))
    assert not gone, f"docs/api.md documents what the code no longer has: {gone}"


# Every @dual function is the same wrapper (a context manager also has `__wrapped__`).
DUAL_CODE = dual(lambda session: None).__code__


def test_the_dual_and_async_markers_match_the_code() -> None:
    text = API_DOC.read_text(encoding="utf-8")
    for key, fn in public_api().items():
        if f"`{key}`\n" not in text:
            continue  # reported by the test above
        section = text.split(f"`{key}`\n", 1)[1].split("\n#", 1)[0]
        if getattr(fn, "__code__", None) is DUAL_CODE:
            assert "**Dual**" in section, key
        elif inspect.iscoroutinefunction(fn):
            assert "**Async**" in section, key
        else:
            assert "**Dual**" not in section, key
            assert "**Async**" not in section, key


def examples() -> list[str]:
    text = API_DOC.read_text(encoding="utf-8")
    section = text.split("\n## Examples\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```python\n(.*?)^```", section, re.M | re.S)


def test_the_doc_has_sync_and_async_examples() -> None:
    blocks = examples()
    assert len(blocks) >= 2
    assert any("asyncio.run(" in block for block in blocks)
    assert any("with db.session()" in block for block in blocks)


@pytest.mark.parametrize("index", range(len(examples())))
def test_example_runs(index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    code = compile(examples()[index], f"docs/api.md example {index + 1}", "exec")
    exec(code, {"__name__": "__api_example__"})
