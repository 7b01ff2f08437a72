"""Activity reports over the last years of every validated contract (the hot loop of the
run: on PostgreSQL its COPY lines are built here)."""

import bisect
import datetime
from itertools import accumulate

from advisors.models import AGE_BANDS, STATUS_BANDS, ActivityReport, ActivityTheme

from . import names
from .common import FIRST_REPORT_DATE, REPORT_YEARS
from .writer import CopyLine, copy_text


class ReportsMixin:
    # --- activity reports --------------------------------------------------------------------
    def activity_reports(self):
        rng = self.rng("reports")
        total = self.counts["reports"]
        window_start = max(FIRST_REPORT_DATE,
                           self.today - datetime.timedelta(days=365 * REPORT_YEARS))
        last_day = self.days_ago(1)
        spans, lengths = [], []
        for c in self.contracts:
            if c["status"] != "validated":
                continue
            end = self.effective_end(c) or last_day
            start, end = max(c["start"], window_start), min(end, last_day)
            if end >= start:
                spans.append((c, start.toordinal()))
                lengths.append((end - start).days + 1)
        if not spans:
            return
        cumulative = list(accumulate(lengths))
        whole = cumulative[-1]
        neighbourhoods = {}
        for s in self.structure_rows:
            if s.get("slots"):
                near = [c for _, c in self.points_of[s["id"]]] + [s["commune"][0]]
                near += [self.commune_in(rng, s["commune"][3])[0] for _ in range(6)]
                neighbourhoods[s["id"]] = near
        R = ActivityReport
        channels = [R.Channel.SERVICE_POINT.value, R.Channel.OTHER_PLACE.value,
                    R.Channel.REMOTE.value, R.Channel.HOME.value]
        channel_weights = list(accumulate([60, 15, 15, 10]))
        kinds = [R.Kind.INDIVIDUAL.value, R.Kind.ONE_OFF.value, R.Kind.WORKSHOP.value]
        kind_weights = list(accumulate([55, 20, 25]))
        durations = R.Duration.values
        duration_weights = list(accumulate([25, 45, 22, 8]))
        ages = [name for name, _ in AGE_BANDS]
        age_weights = list(accumulate([4, 7, 20, 32, 29, 8]))
        situations = [name for name, _ in STATUS_BANDS]
        situation_weights = list(accumulate([10, 20, 22, 33, 15]))
        themes = ActivityTheme.values
        band_index = {name: n for n, name in enumerate(ages + situations)}
        redirections = names.REDIRECTIONS
        workshop_titles = names.WORKSHOP_TITLES
        report0 = self.ids.take(ActivityReport, total)
        sizes = [2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30]
        size_weights = list(accumulate([20, 18, 14, 12, 10, 8, 6, 5, 4, 2, 1]))
        random_ = rng.random
        choices = rng.choices

        bisect_right = bisect.bisect_right
        as_lines = self.writer.postgres  # COPY lines built here: the hot loop of the run
        text_cache = {}

        def draw(values, cumulative):
            return values[bisect_right(cumulative, random_() * cumulative[-1])]

        def rows():
            for n in range(total):
                span = bisect_right(cumulative, random_() * whole)
                c, first_ordinal = spans[span]
                ordinal = first_ordinal + int(random_() * lengths[span])
                advisor, structure = c["advisor"]["pk"], c["structure"]["id"]
                points = (self.staffed.get((advisor, structure))
                          or self.points_of.get(structure))
                channel = draw(channels, channel_weights)
                point = None
                if channel == "service_point":
                    if points:
                        point, commune = points[int(random_() * len(points))]
                    else:
                        channel = "remote"
                if point is None:
                    near = neighbourhoods[structure]
                    commune = near[int(random_() * len(near))]
                kind = draw(kinds, kind_weights)
                if kind == "workshop":
                    people = draw(sizes, size_weights)
                else:
                    people = 1 if kind == "individual" or random_() < 0.8 else 2
                bands = [0] * len(band_index)
                if people == 1:
                    bands[band_index[draw(ages, age_weights)]] = 1
                    bands[band_index[draw(situations, situation_weights)]] = 1
                else:
                    for name in choices(ages, cum_weights=age_weights, k=people):
                        bands[band_index[name]] += 1
                    for name in choices(situations, cum_weights=situation_weights, k=people):
                        bands[band_index[name]] += 1
                chosen = rng.sample(themes, 1 if random_() < 0.6 else 2 if random_() < 0.7
                                    else 3)
                duration = draw(durations, duration_weights)
                redirected = random_() < 0.08
                redirected_to = (redirections[int(random_() * len(redirections))]
                                 if redirected else "")
                title = (workshop_titles[int(random_() * len(workshop_titles))]
                         if kind == "workshop" else "")
                if not as_lines:
                    day = datetime.date.fromordinal(ordinal)
                    yield (report0 + n, advisor, structure, point, day, commune, channel,
                           kind, people, *bands, chosen, duration, redirected, redirected_to,
                           self.at(day, 18), title, [])
                    continue
                day_text = text_cache.get(ordinal)
                if day_text is None:
                    day = datetime.date.fromordinal(ordinal)
                    day_text = text_cache[ordinal] = (day.isoformat(),
                                                      self.at(day, 18).isoformat())
                key = tuple(chosen)
                themes_text = text_cache.get(key)
                if themes_text is None:
                    themes_text = text_cache[key] = copy_text([chosen])
                yield CopyLine("\t".join((
                    str(report0 + n), str(advisor), str(structure),
                    "\\N" if point is None else str(point), day_text[0], str(commune),
                    channel, kind, str(people), *map(str, bands), themes_text, duration,
                    "t" if redirected else "f", redirected_to, day_text[1], title, "[]")))

        self.writer.write(ActivityReport, [
            "id", "advisor_id", "structure_id", "service_point_id", "date", "commune_id",
            "channel", "kind", "participants", *ages, *situations, "themes", "duration",
            "redirected", "redirected_to", "created_at", "title", "tags"], rows())
