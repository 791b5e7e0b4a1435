"""`form_action`: the one shape of a dashboard form's POST, written once.

Every form that changes something does the same four things: check the session and its CSRF token
(`form_post`), find what it acts on (gone: a 404 page in words), check what was typed, and go back
(303) to a page with a notice in plain words. The view says only what differs:

- it returns `Done("Brief saved.")` (or `Done(..., to="/elsewhere")`): a notice, then the redirect;
- it raises `Refused("words")` for something the person can fix (a bad value, a name taken, a store
  error met on the way, often through `refusing(Conflict, "words")`): an error notice, the redirect;
- it lets `NotFound` through when the thing it acts on is gone: the form's `missing` page
  (`when_missing`, which pages that show one thing use too);
- it returns a page itself when a bad value must stay on the page with its message (the brief's form
  with each field's problem, status 400): returned as it is, without a notice.

Any other error goes to the blueprint's error page (server/dashboard/__init__.py), as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import redirect

from server.dashboard import form_post, notice
from server.store import NotFound


@dataclass(frozen=True)
class Done:
    """A form that did its work: `text` as a notice, then to `to` (default: the form's `back`)."""

    text: str
    to: str | None = None


class Refused(Exception):
    """A form that changed nothing, and why in words (an error notice for each problem): then to `to`
    (default: the form's `back`)."""

    def __init__(self, *problems: str, to: str | None = None):
        super().__init__(*problems)
        self.problems, self.to = problems, to


@contextmanager
def refusing(errors: type[Exception] | tuple[type[Exception], ...], say: str | Callable[[Any], str],
             to: str | None = None) -> Iterator[None]:
    """`errors` raised inside become a `Refused` saying `say` (a sentence, or one made from the error)."""
    try:
        yield
    except errors as exc:
        raise Refused(say(exc) if callable(say) else say, to=to) from exc


def when_missing(page: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view (a page or a form) that lets `NotFound` through when what it shows or changes is gone:
    then `page`, from the route's arguments (a 404 in words), instead of the general error page."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def run(**kwargs: Any) -> Any:
            try:
                return view(**kwargs)
            except NotFound:
                return page(**kwargs)

        return run

    return decorate


def form_action(back: str | Callable[..., str] | None = None, missing: Callable[..., Any] | None = None):
    """A form's POST route (session + CSRF by `form_post`) run as the module docstring says. `back`:
    where it goes afterwards, a path or a function of the route's arguments (called only then; None:
    every `Done` and `Refused` of the view names its `to`); `missing`: the page, from the route's
    arguments, when the view lets `NotFound` through."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        act = view if missing is None else when_missing(missing)(view)

        @wraps(view)
        def run(**kwargs: Any) -> Any:
            try:
                out = act(**kwargs)
            except Refused as exc:
                for problem in exc.problems:
                    notice(problem, "error")
                return redirect(exc.to or _target(back, kwargs), code=303)
            if isinstance(out, Done):
                notice(out.text)
                return redirect(out.to or _target(back, kwargs), code=303)
            return out

        return form_post(run)

    return decorate


def _target(back: str | Callable[..., str] | None, kwargs: dict[str, Any]) -> str:
    if back is None:
        raise TypeError("a form_action without `back` must say where each Done or Refused goes (`to`)")
    return back(**kwargs) if callable(back) else back
