"""tests/routes_cache.py: the memoized URL builders build what Werkzeug's own build, for every route
of the app, and a second app reuses the compiled code instead of compiling it again."""

from __future__ import annotations

import builtins

from werkzeug.routing import Rule

from server import create_app


def _apps(tmp_path, n: int) -> list:
    return [create_app({"DATA_DIR": str(tmp_path / f"d{i}"), "STORE_FSYNC": False, "TESTING": True})
            for i in range(n)]


def test_every_route_builds_the_url_werkzeugs_own_builder_builds(tmp_path):
    assert getattr(Rule._compile_builder, "memoized", False)  # installed by tests/conftest.py
    original = Rule._compile_builder.original
    apps = _apps(tmp_path, 2)  # the second app's builders come from the first's code
    try:
        rules = list(apps[1].url_map.iter_rules())
        assert len(rules) > 50
        for rule in rules:
            values = {name: "a b/é" for name in rule.arguments}
            for extra in ({}, {"page": "2", "q": "x&y"}):
                for append_unknown in (False, True):
                    plain = original(rule, append_unknown).__get__(rule, None)
                    assert rule.build({**values, **extra}, append_unknown) == plain(**values, **extra), rule
    finally:
        for app in apps:
            app.extensions["kolscope.store"].close()


def test_a_second_app_does_not_compile_its_builders_again(tmp_path, monkeypatch):
    first = _apps(tmp_path, 1)[0]
    compiled: list[str] = []  # Werkzeug compiles each builder as "<werkzeug routing>"
    real_compile = builtins.compile

    def counting(source, filename, *args, **kwargs):
        if filename == "<werkzeug routing>":
            compiled.append(filename)
        return real_compile(source, filename, *args, **kwargs)

    monkeypatch.setattr(builtins, "compile", counting)
    second = _apps(tmp_path / "two", 1)[0]
    try:
        assert len(list(second.url_map.iter_rules())) > 50 and compiled == []
    finally:
        for app in (first, second):
            app.extensions["kolscope.store"].close()
