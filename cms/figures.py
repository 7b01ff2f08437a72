"""Key figures of the home page that are counted rather than typed.

Feature apps offer figures with the ``register_key_figure`` Wagtail hook (a function
returning a ``KeyFigure``), so cms counts courses or sessions without importing their app.
An editor picks one in the "Chiffre clé" block; the count is made when the page is rendered
(pages kept for anonymous visitors are forgotten when what they count changes)."""

from collections.abc import Callable
from dataclasses import dataclass

from wagtail import hooks


@dataclass(frozen=True)
class KeyFigure:
    key: str
    label: str  # what the editor reads in the block's list
    count: Callable[[], int]


def registered() -> dict[str, KeyFigure]:
    figures = {}
    for hook in hooks.get_hooks("register_key_figure"):
        figure = hook()
        figures[figure.key] = figure
    return figures


def choices():
    return [(figure.key, figure.label) for figure in registered().values()]


def count(key):
    """The figure's value, formatted the French way (narrow no-break space between
    thousands), or None when no app offers that figure any more."""
    figure = registered().get(key)
    if figure is None:
        return None
    return f"{figure.count():,}".replace(",", "\u202f")
