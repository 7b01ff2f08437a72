"""``{% directory_map_config %}``: the map's settings (base layer, its attribution, the
outlines drawn without one) as a JSON script read by advisors/static/advisors/directory_map.js."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import json_script

from territories import outlines

register = template.Library()


def map_config(link_target=""):
    config = {"tiles": settings.DIRECTORY_TILE_URL,
              "attribution": settings.DIRECTORY_TILE_ATTRIBUTION if settings.DIRECTORY_TILE_URL
              else "",
              "outlines": static(outlines.STATIC_PATH),
              # Shortcuts to the overseas départements, whose places a view of metropolitan
              # France leaves out (the map's "insets").
              "areas": [{"name": "Métropole", "bounds": outlines.METROPOLITAN_BOUNDS}] + [
                  {"name": name, "bounds": outlines.bounds(code)}
                  for code, name in outlines.OVERSEAS_DEPARTMENTS.items()
                  if outlines.bounds(code)]}
    if link_target:
        config["linkTarget"] = link_target
    return config


@register.simple_tag
def directory_map_config(link_target=""):
    return json_script(map_config(link_target), "directory-map-config")
