"""The Académie: course pages (through Wagtail), sessions, enrolments and attendance."""

import bisect
import datetime
import time
from decimal import Decimal
from itertools import accumulate

from academy.models import (
    Attendance,
    CatalogPage,
    CoursePage,
    CourseTheme,
    Enrolment,
    Partner,
    Session,
)

from . import names
from .common import COURSE_SLUG_PREFIX, DOMAIN, spread


class CoursesMixin:
    # --- Académie: courses, sessions, enrolments, attendance ---------------------------------
    def academy(self):
        from cms.models import HomePage
        from demo.content import COURSES, THEMES

        rng = self.rng("academy")
        started = time.perf_counter()
        home = HomePage.objects.first()
        if home is None:
            raise RuntimeError("Pas de page d'accueil : lancez d'abord python manage.py migrate.")
        catalog = CatalogPage.objects.first()
        if catalog is None:
            catalog = CatalogPage(title="Formations", slug="formations",
                                  intro="Le catalogue des formations de l'Académie.")
            home.add_child(instance=catalog)
            catalog.save_revision().publish()
        from django.utils.text import slugify

        themes = [CourseTheme.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
                  for name in THEMES]
        partner, _ = Partner.objects.get_or_create(
            name="Agence nationale de la cohésion des territoires",
            defaults={"url": "https://agence-cohesion-territoires.gouv.fr"})
        courses = []
        region_names = [r[2] for r in self.regions] or ["France"]
        for n in range(self.counts["courses"]):
            (title, theme_ids, audience, fmt, hours, price, dif, summary,
             objectives) = COURSES[n % len(COURSES)]
            edition = n // len(COURSES)
            if edition:
                title = f"{title} — {region_names[(n + edition) % len(region_names)]}"
            page = CoursePage(
                title=title, slug=f"{COURSE_SLUG_PREFIX}{n + 1}-{slugify(title)[:60]}",
                summary=summary,
                objectives="<ul>" + "".join(f"<li>{o}</li>" for o in objectives) + "</ul>",
                audience=audience, format=fmt, duration_hours=Decimal(hours), price=price,
                dif_eligible=dif)
            catalog.add_child(instance=page)
            page.themes.set([themes[i] for i in theme_ids])
            page.partners.set([partner])
            page.save_revision().publish()
            courses.append(page)
        elapsed = time.perf_counter() - started
        self.writer.figures["wagtailcore_page (formations)"] = [len(courses), elapsed]
        self.log(f"  {'wagtailcore_page (formations)':<34} {len(courses):>10} lignes "
                 f"{elapsed:>8.1f} s")
        self.sessions(rng, courses)

    def sessions(self, rng, courses):
        total = self.counts["sessions"]
        big = sorted(self.communes, key=lambda c: (-(c[2] or 0), c[0]))[:600]
        big_cumulative = list(accumulate((c[2] or 1) ** 0.5 for c in big))
        session0 = self.ids.take(Session, total)
        sessions = []
        for n in range(total):
            course = courses[n % len(courses)] if n < len(courses) else rng.choice(courses)
            if n == 0:  # an upcoming session under approval, open for enrolment
                offset = 20
            elif n == 1:  # an upcoming session that will be cancelled
                offset = 25
            elif n == 2:  # a popular past session (full, with a waiting list)
                offset = -60
            else:
                offset = rng.randint(-730, 365) or 1
            day = self.today + datetime.timedelta(days=offset)
            day -= datetime.timedelta(days=max(0, day.weekday() - 4))  # Monday to Friday
            if day == self.today:
                day += datetime.timedelta(days=3)
            hours = float(course.duration_hours)
            if hours <= 4:
                start, end = self.at(day, 9, 30), self.at(day, 9 + int(hours), 30)
            else:
                length = 2 if hours >= 14 else 1
                start = self.at(day, 9)
                end = self.at(day + datetime.timedelta(days=length - 1), 17)
            remote = course.format == "remote" or (course.format == "hybrid"
                                                   and rng.random() < 0.3)
            commune = None
            if not remote:
                point = rng.random() * big_cumulative[-1]
                commune = big[bisect.bisect_right(big_cumulative, point)]
            capacity = rng.choice([15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150])
            opens = start - datetime.timedelta(days=rng.randint(45, 90))
            closes = start - datetime.timedelta(days=rng.randint(1, 7))
            cancelled = n == 1 or (n > 2 and rng.random() < 0.04)
            sessions.append({
                "pk": session0 + n, "course": course, "start": start, "end": end,
                "commune": commune, "capacity": capacity, "opens": opens, "closes": closes,
                "deadline": start - datetime.timedelta(days=rng.randint(3, 5)),
                "approval": n == 0 or (n > 2 and rng.random() < 0.1),
                "cancelled": cancelled, "remote": remote, "n": n,
                "survey": rng.random() < 0.5,
            })
        self.writer.write(Session, [
            "id", "course_id", "start", "end", "address", "commune_id", "remote_url",
            "capacity", "enrolment_opens", "enrolment_closes", "cancellation_deadline",
            "trainers", "requires_approval", "survey_url", "contact_email", "status",
            "updated_at", "calendar_sequence", "replay_url"],
            [(s["pk"], s["course"].pk, s["start"], s["end"],
              "" if s["commune"] is None else rng.choice(
                  ["Hôtel de ville, salle du conseil", "Préfecture, salle des fêtes",
                   "Maison des associations"]), s["commune"] and s["commune"][0],
              f"https://webconf.numerique.gouv.fr/academie-{s['pk']}" if s["remote"] else "",
              s["capacity"], s["opens"], s["closes"], s["deadline"],
              rng.choice(names.TRAINERS), s["approval"],
              f"https://questionnaire.example.fr/academie/{s['pk']}" if s["survey"] else "",
              f"academie@{DOMAIN}", "cancelled" if s["cancelled"] else "scheduled",
              min(s["opens"], self.now), 1 if s["cancelled"] else 0, "")
             for s in sessions])
        self.enrolments(rng, sessions)

    def enrolments(self, rng, sessions):
        total = self.counts["enrolments"]
        E = Enrolment.Status
        officials = len(self.people)
        advisor_users = sorted(a["user"] for a in self.people_advisors
                               if a["user"] and a["validated"])
        open_sessions = [s for s in sessions if s["opens"] < self.now]
        weights = [s["capacity"] * rng.uniform(0.4, 1.7) * (3 if s["n"] == 2 else 1)
                   for s in open_sessions]
        wanted = spread(total, weights)
        rows, attendance = [], []
        enrolment_pk = self.ids.take(Enrolment, total)
        elu = self.official_user0
        carry = 0
        for s, count in zip(open_sessions, wanted, strict=True):
            count += carry
            carry = 0
            if s["course"].audience == "advisors":
                pool_size = len(advisor_users)
                if count > pool_size:
                    carry, count = count - pool_size, pool_size
                members = [advisor_users[i] for i in rng.sample(range(pool_size), count)]
            else:
                count = min(count, officials)
                members = [self.official_user0 + i for i in rng.sample(range(officials), count)]
                if s["n"] in (0, 2) and count and elu not in members:
                    members[0] = elu
            if not members:
                continue
            window_end = min(s["closes"], self.now)
            span = max(60, int((window_end - s["opens"]).total_seconds()))
            moments = sorted(s["opens"] + datetime.timedelta(seconds=rng.randrange(span))
                             for _ in members)
            upcoming = s["start"] > self.now
            past = s["end"] < self.now
            confirmed = 0
            slots = self.half_days(s) if past and not s["cancelled"] else []
            for user, created in zip(members, moments, strict=True):
                waitlisted_at = None
                updated = created
                sequence = 0
                if s["cancelled"]:
                    status = E.CANCELLED_BY_ORGANISER
                    updated = min(s["start"] - datetime.timedelta(days=2), self.now)
                elif user != elu and rng.random() < 0.07:
                    status, sequence = E.CANCELLED, 1
                    updated = min(created + datetime.timedelta(days=rng.randint(1, 10)),
                                  s["deadline"], self.now)
                elif s["approval"] and user != elu and rng.random() < 0.15:
                    status = E.REFUSED
                    updated = min(created + datetime.timedelta(days=3), self.now)
                elif s["approval"] and upcoming and (user == elu or rng.random() < 0.4):
                    status = E.PENDING
                elif confirmed < s["capacity"]:
                    status = E.CONFIRMED
                    confirmed += 1
                else:
                    status, waitlisted_at = E.WAITLISTED, created
                if updated < created:
                    updated = created
                priority = 0
                if user < self.official_user0 + officials and user >= self.official_user0:
                    first, small, department = self.people[user - self.official_user0]
                    priority = int(first) + int(small) + int(
                        s["commune"] is not None and department == s["commune"][3])
                reminder_7 = reminder_1 = survey = None
                if status == E.CONFIRMED:
                    if s["start"] - datetime.timedelta(days=7) <= self.now:
                        reminder_7 = max(s["start"] - datetime.timedelta(days=7), created)
                    if s["start"] - datetime.timedelta(days=1) <= self.now:
                        reminder_1 = max(s["start"] - datetime.timedelta(days=1), created)
                    if slots and s["survey"]:
                        survey = s["end"] + datetime.timedelta(hours=2)
                rows.append((enrolment_pk, s["pk"], user, str(status), priority,
                             waitlisted_at, created, updated, reminder_7, reminder_1, survey,
                             sequence, ""))
                if status == E.CONFIRMED and slots:
                    for day, period in slots:
                        roll = rng.random()
                        attendance.append((enrolment_pk, day, period,
                                           "present" if roll < 0.88 else
                                           "absent" if roll < 0.95 else "excused"))
                enrolment_pk += 1
        self.writer.write(Enrolment, [
            "id", "session_id", "user_id", "status", "priority", "waitlisted_at",
            "created_at", "updated_at", "reminder_7_sent_at", "reminder_1_sent_at",
            "survey_sent_at", "invitation_sequence",
            # No national session is hybrid (a place or a link): no choice to record.
            "attendance_mode"], rows)
        first = self.ids.take(Attendance, len(attendance))
        # Marks of the past, recorded before attendance said how ("mode" left empty).
        self.writer.write(Attendance, ["id", "enrolment_id", "day", "period", "status", "mode"],
                          ((first + n, *row, "") for n, row in enumerate(attendance)))

    @staticmethod
    def half_days(s):
        return Session(start=s["start"], end=s["end"]).half_days()
