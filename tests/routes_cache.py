"""Test-session speed-up: Werkzeug's URL builders compiled once per rule, not once per app.

Every test app (one a test: ~1,350 in `make test`) registers the same ~120 routes, and Werkzeug
compiles two URL-builder functions for each rule from a generated syntax tree (`Rule._compile_builder`:
ast building, ast.walk, compile()): ~80% of `create_app`'s time, ~0.2 s an app on a quiet machine.
The code it compiles is a pure function of the rule's text, its trace (the parsed parts, the map's
slash merging applied) and `append_unknown` -- for a rule with no defaults; a rule with defaults
(their converted values are compiled in) is compiled as Werkzeug does. So the code object is kept,
keyed by exactly those inputs, and each rule still gets its own function from it
(`Rule._get_func_code`, as Werkzeug itself does): URLs are built by the same code, only compiled once.
"""

from __future__ import annotations

from werkzeug.routing import Rule


def install() -> None:
    """Memoize Rule._compile_builder's compiled code for this process (the test session)."""
    original = Rule._compile_builder
    if getattr(original, "memoized", False):
        return
    codes: dict[tuple, object] = {}

    def _compile_builder(self: Rule, append_unknown: bool = True):
        if self.defaults:
            return original(self, append_unknown)
        key = (self.rule, tuple(self._trace), append_unknown)
        code = codes.get(key)
        if code is None:
            # the one place Werkzeug calls _get_func_code: catch the code object it makes
            made = []
            get = self._get_func_code

            def keep(code, name):
                made.append((code, name))
                return get(code, name)

            self._get_func_code = keep
            try:
                builder = original(self, append_unknown)
            finally:
                del self._get_func_code
            codes[key] = made[0]
            return builder
        return self._get_func_code(*code)

    _compile_builder.memoized = True
    _compile_builder.original = original  # Werkzeug's own, for the test that compares the two
    Rule._compile_builder = _compile_builder
