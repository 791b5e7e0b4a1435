"""The shape of `server/` that no single test of behaviour would notice going wrong: no module-level
mutable state (an app owns its services, server/services.py), no import up the layers (the order is
written in server/__init__.py), and one way for API modules to add routes. Each check reads the source
(AST), so it fails on the line that breaks the rule, not on a flaky symptom later."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "server"
SCRAPER = ROOT / "scraper"


def _modules(package: Path) -> Iterator[tuple[str, Path, ast.Module]]:
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        yield ".".join(parts), path, ast.parse(path.read_text(encoding="utf-8"), str(path))


# -- no module-level mutable state --------------------------------------------------------------------

# Calls whose result holds state that changes while the server runs: a module-level one is shared by
# every app in the process.
STATEFUL_CALLS = frozenset({
    "Lock", "RLock", "Condition", "Semaphore", "BoundedSemaphore", "Event", "Barrier", "local",
    "Queue", "SimpleQueue", "LifoQueue", "PriorityQueue", "deque", "defaultdict", "OrderedDict", "Counter",
    "WeakValueDictionary", "WeakKeyDictionary", "WeakSet", "ContextVar", "dict", "list", "set", "bytearray",
})
# Module-level calls that build something fixed (or a framework object made once per import).
FIXED_CALLS = frozenset({
    "MappingProxyType", "frozenset", "tuple", "Path", "compile", "getLogger", "Blueprint", "TypeVar",
    "timedelta", "with_name", "field", "Field", "ConfigDict", "Struct",
})
MUTATORS = frozenset({"append", "extend", "insert", "update", "setdefault", "pop", "popitem", "clear", "add",
                      "discard", "remove", "sort", "reverse", "__setitem__", "__delitem__"})
# Caches of pure functions or of read-only data shipped in the package: the only process-wide memory
# allowed, each with why it is not state.
ALLOWED_CACHES = {
    ("server.api.openapi", "_document"): "the OpenAPI document, built from the code's own tables",
    ("server.campaigns.price", "load_prices"): "prices.json shipped in the package",
    ("server.cron", "stored_crontab_problem"): "a pure function of the crontab line",
    ("server.scoring.brief_input", "_language_names"): "pycountry's ISO 639 names, read-only package data",
    ("server.scoring.accounts", "load_model"): "accounts_model.json shipped in the package",
    ("server.scoring.bands", "load_bands"): "bands.json shipped in the package",
    ("server.scoring.language", "_identifier"): "py3langid's model shipped in its wheel",
    ("server.scoring.topics", "_match_text"): "a pure function of the text and the fixed lexicon",
    ("server.scoring.topics", "lexicon"): "topics.json shipped in the package",
    ("server.scoring.topics", "model"): "wordllama's model shipped in its wheel",
    ("server.scoring.topics", "prototypes"): "embeddings of the fixed lexicon by the fixed model",
}
CACHE_DECORATORS = frozenset({"lru_cache", "cache", "load_once"})


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _top_level(tree: ast.Module) -> Iterator[ast.stmt]:
    """Module statements, looking inside top-level if/try/with (still run at import)."""
    stack = list(tree.body)
    while stack:
        stmt = stack.pop(0)
        yield stmt
        if isinstance(stmt, (ast.If, ast.Try, ast.With)):
            for block in ("body", "orelse", "finalbody", "handlers"):
                for child in getattr(stmt, block, []) or []:
                    stack.extend(child.body if isinstance(child, ast.ExceptHandler) else [child])


def _assigned(stmt: ast.stmt) -> tuple[list[str], ast.expr | None]:
    if isinstance(stmt, ast.Assign):
        return [t.id for t in stmt.targets if isinstance(t, ast.Name)], stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return [stmt.target.id], stmt.value
    return [], None


def _mutated_names(tree: ast.Module) -> set[str]:
    """Names that the module's functions change in place (x[k] = v, del x[k], x += ..., x.append(...)).
    Statements at module level run once, at import: a table filled there (store.MIGRATIONS[1] = ...)
    is fixed from then on."""
    out: set[str] = set()
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]
    for node in (inner for f in functions for inner in ast.walk(f)):
        targets: list[ast.expr] = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for t in targets:
            if isinstance(t, (ast.Subscript, ast.Attribute)) and isinstance(t.value, ast.Name):
                out.add(t.value.id)
            elif isinstance(node, ast.AugAssign) and isinstance(t, ast.Name):
                out.add(t.id)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS
                and isinstance(node.func.value, ast.Name)):
            out.add(node.func.value.id)
    return out


def module_state_problems(module: str, tree: ast.Module) -> list[str]:
    """Each way `module` keeps mutable state at module level, as 'module:line: what'."""
    problems = []
    mutated = _mutated_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            problems.append(f"{module}:{node.lineno}: `global {', '.join(node.names)}` rebinds module state")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for dec in node.decorator_list:
                if _name(dec) in CACHE_DECORATORS and (module, node.name) not in ALLOWED_CACHES:
                    problems.append(f"{module}:{node.lineno}: {node.name} is a process-wide cache; "
                                    "allow it in ALLOWED_CACHES only if it holds read-only package data "
                                    "or a pure function's answers")
    for stmt in _top_level(tree):
        names, value = _assigned(stmt)
        if value is None or not names:
            continue
        where = f"{module}:{stmt.lineno}: {', '.join(names)}"
        if isinstance(value, ast.Call):
            called = _name(value)
            if called in STATEFUL_CALLS:
                problems.append(f"{where} = {called}(...) is state shared by every app in the process")
            elif called and called[:1].isupper() and called not in FIXED_CALLS:
                problems.append(f"{where} = {called}(...): an object made at import; an app's service "
                                "belongs in app.extensions (or add it to FIXED_CALLS if it is fixed)")
        elif isinstance(value, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)):
            constant = all(n.isupper() or n == "__all__" for n in names)
            if not constant:
                problems.append(f"{where}: a mutable {type(value).__name__} under a variable's name; a constant "
                                "is named in CAPITALS (better: a tuple, frozenset or MappingProxyType)")
            elif set(names) & mutated:
                problems.append(f"{where}: a module-level container changed in place")
    return problems


def test_no_module_level_mutable_state_in_server():
    problems = [p for module, _, tree in _modules(SERVER) for p in module_state_problems(module, tree)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("source, found", [
    ("import threading\n_lock = threading.Lock()\n", "Lock"),
    ("_runs: dict = {}\n", "mutable Dict"),
    ("RUNS = {}\ndef remember(k, v):\n    RUNS[k] = v\n", "changed in place"),
    ("SEEN = set()\n", "set(...)"),
    ("_x = None\ndef f():\n    global _x\n    _x = 1\n", "global _x"),
    ("from functools import lru_cache\n@lru_cache\ndef f(x):\n    return x\n", "process-wide cache"),
    ("from scraper.politeness import Politeness\nLIVE = Politeness()\n", "an object made at import"),
    ("try:\n    import x\nexcept ImportError:\n    _cache = []\n", "mutable List"),
])
def test_module_state_check_finds_each_kind(source, found):
    problems = module_state_problems("server.example", ast.parse(source))
    assert len(problems) == 1 and found in problems[0], problems


def test_module_state_check_allows_constants():
    source = ("from types import MappingProxyType\nimport re\n"
              "WEIGHTS = {'a': 1}\nNAMES = ('a', 'b')\nHOSTS = frozenset({'x'})\n"
              "TABLE = MappingProxyType({'a': 1})\n_RE = re.compile('a')\n__all__ = ['f']\n"
              "def f():\n    cache = {}\n    cache['a'] = 1\n    return cache\n")
    assert module_state_problems("server.example", ast.parse(source)) == []


# -- no import up the layers ------------------------------------------------------------------------------

# The order written in server/__init__.py's docstring, lowest first: (module prefix, layer); the longest
# matching prefix decides. A module may import from its own layer or lower ones, never higher.
LAYERS = (
    ("scraper", 0),
    ("server.scoring", 1), ("server.disk", 1), ("server.cron", 1), ("server.plain", 1), ("server.pdf", 1),
    ("server.campaigns", 1),
    ("server.store", 2),
    ("server.ingest", 3), ("server.refresh", 3), ("server.rescore", 3), ("server.scheduler", 3),
    ("server.fsck", 3), ("server.services", 3), ("server.discovery", 3), ("server.workers", 3),
    ("server.api", 4),
    ("server.security", 5),
    ("server.dashboard", 6),
    ("server", 7),
    # the commands: `kolscope ...` (scoring's own command sits beside scoring but is a command)
    ("server.cli", 8), ("server.serve", 8), ("server.refresh_cli", 8), ("server.scoring.cli", 8),
)


def layer_of(module: str) -> int | None:
    best = None
    for prefix, layer in LAYERS:
        if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, layer)
    return best[1] if best else None


def _is_package_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(module: str, path: Path, tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, module) for each project module imported, at the top or inside a function."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            for alias in node.names:  # `from server import scheduler` imports the module server.scheduler
                sub = f"{base}.{alias.name}"
                yield node.lineno, sub if _is_package_module(sub) else base


def _project(name: str) -> bool:
    return name.split(".")[0] in ("server", "scraper")


def layer_problems() -> list[str]:
    problems = []
    for package in (SERVER, SCRAPER):
        for module, path, tree in _modules(package):
            own = layer_of(module)
            if own is None:
                problems.append(f"{module}: not placed in LAYERS (and in server/__init__.py's docstring)")
                continue
            for line, target in imports_of(module, path, tree):
                if not _project(target):
                    continue
                theirs = layer_of(target)
                if theirs is not None and theirs > own:
                    problems.append(f"{module}:{line} imports {target}, a layer above it")
    return problems


def test_no_module_imports_from_a_layer_above_it():
    problems = layer_problems()
    assert not problems, "\n".join(problems)


def test_the_rules_the_layers_stand_for():
    assert (layer_of("scraper.fetch") < layer_of("server.scoring.fit") < layer_of("server.store.tinydb")
            < layer_of("server.services") < layer_of("server.api.creators") < layer_of("server.dashboard"))
    assert layer_of("server.refresh") < layer_of("server.api.refresh")
    assert layer_of("server.scoring.cli") == layer_of("server.cli")
    # scoring and scraper import nothing of server beyond themselves, whatever their layer allows
    for package, allowed in ((SERVER / "scoring", ("server.scoring",)), (SCRAPER, ())):
        for module, path, tree in _modules(package):
            if module == "server.scoring.cli":
                continue
            for line, target in imports_of(module, path, tree):
                if target.split(".")[0] == "server":
                    assert target.startswith(allowed) if allowed else False, f"{module}:{line} imports {target}"


def test_layer_check_catches_an_import_up():
    tree = ast.parse("from server.services import get_store\nfrom server import dashboard\n")
    found = [(line, t) for line, t in imports_of("server.store", SERVER / "store.py", tree)]
    assert found == [(1, "server.services"), (2, "server.dashboard")]
    assert all(layer_of(t) > layer_of("server.store") for _, t in found)


# -- one blueprint convention ------------------------------------------------------------------------------

ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "route", "after_app_request",
                           "before_app_request", "after_request", "before_request"})


@pytest.mark.parametrize("package, blueprint", [("api", "api"), ("dashboard", "bp")])
def test_every_module_adds_its_routes_to_its_package_blueprint(package, blueprint):
    """server/api and server/dashboard: one blueprint each, made in the package's __init__, every
    module adding its routes to it and imported there."""
    listed = set()
    init = ast.parse((SERVER / package / "__init__.py").read_text(encoding="utf-8"))
    for node in ast.walk(init):
        if isinstance(node, ast.ImportFrom) and node.module == f"server.{package}":
            listed |= {a.name for a in node.names}
    for module, path, tree in _modules(SERVER / package):
        routed = False
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node) == "Blueprint":
                assert path.name == "__init__.py", f"{module}:{node.lineno} makes its own blueprint"
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for dec in node.decorator_list:
                    target = dec.func if isinstance(dec, ast.Call) else dec
                    if isinstance(target, ast.Attribute) and target.attr in ROUTE_METHODS:
                        assert isinstance(target.value, ast.Name) and target.value.id == blueprint, \
                            f"{module}:{node.lineno} adds a route to {ast.unparse(target.value)}, not `{blueprint}`"
                        routed = True
        if routed:
            assert module.rpartition(".")[2] in listed, \
                f"{module} has routes but server/{package}/__init__.py does not import it"


def test_no_module_is_found_or_loaded_by_name_at_run_time():
    """An optional import of a module that always exists hides a broken import until a request needs it.
    The one exception is the command line's dispatcher, which imports only the command being run."""
    for module, _, tree in _modules(SERVER):
        if module == "server.cli":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node) in ("find_spec", "import_module", "__import__"):
                raise AssertionError(f"{module}:{node.lineno} imports a module by name")


# -- imports at the top --------------------------------------------------------------------------------------

# Modules whose imports inside functions still wait for their owners to move them up or say why
# (issue 12's other parts rewrite these files); every other module of server/ is held to the rule.
LATE_IMPORTS_NOT_YET_EXPLAINED = frozenset({
    "server.api.openapi", "server.api.watchlists", "server.cron", "server.ingest", "server.scoring.brief",
    "server.scoring.cli", "server.scoring.content",
})


def unexplained_late_imports(module: str, source: str) -> list[str]:
    """Imports inside a function with no comment saying why: on the line itself, above the group of
    imports it belongs to, or in the function's docstring right above them."""
    lines = source.splitlines()
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        first = node.body[0]
        docstring_end = (first.end_lineno if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                         and isinstance(first.value.value, str) else None)
        for inner in ast.walk(node):
            if not isinstance(inner, (ast.Import, ast.ImportFrom)) or "#" in lines[inner.lineno - 1]:
                continue
            i = inner.lineno - 2
            while i >= node.lineno and (not lines[i].strip() or lines[i].lstrip().startswith(("import ", "from "))):
                i -= 1
            if not lines[i].lstrip().startswith("#") and i + 1 != docstring_end:
                out.append(f"{module}:{inner.lineno}: `{lines[inner.lineno - 1].strip()}` inside a function, "
                           "with no comment saying why it is not at the top")
    return out


def test_imports_inside_functions_say_why():
    problems = [p for module, path, _ in _modules(SERVER) if module not in LATE_IMPORTS_NOT_YET_EXPLAINED
                for p in unexplained_late_imports(module, path.read_text(encoding="utf-8"))]
    assert not problems, "\n".join(problems)


def test_late_import_check():
    bare = "def f():\n    import json\n    return json\n"
    explained = "def f():\n    # on use: heavy\n    import json\n\n    from os import path\n    return json, path\n"
    inline = "def f():\n    import json  # heavy\n    return json\n"
    documented = 'def f():\n    """Read on use: json is heavy."""\n    import json\n    return json\n'
    assert len(unexplained_late_imports("m", bare)) == 1
    assert unexplained_late_imports("m", explained) == unexplained_late_imports("m", inline) == []
    assert unexplained_late_imports("m", documented) == []
