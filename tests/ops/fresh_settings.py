"""The settings as config/settings/ makes them from the environment as it is now: the
package's modules are imported afresh, then the ones Django loaded are put back."""

import importlib
import sys

import config


def _settings_modules():
    return [name for name in sys.modules
            if name == "config.settings" or name.startswith("config.settings.")]


def fresh_settings():
    """{name: value} of a new import of ``config.settings``."""
    saved = {name: sys.modules.pop(name) for name in _settings_modules()}
    try:
        return dict(vars(importlib.import_module("config.settings")))
    finally:
        for name in _settings_modules():
            del sys.modules[name]
        sys.modules.update(saved)
        if "config.settings" in saved:
            config.settings = saved["config.settings"]
