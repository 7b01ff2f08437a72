"""Issue #20's questionnaire on a 375 px phone: an élu present at a session finds the
questionnaire in "Mon espace", is told in French what is missing, answers, and ANCT's
results page counts the answer (rate, average, free text) without saying who gave it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from academy import tasks
from academy.models import Attendance, Enrolment, Session, SurveyInvitation
from accounts.roles import Role
from tests import factories as make
from tests.advisors import factories as people
from tests.browser.fixtures import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}




def test_an_elu_answers_the_questionnaire_and_anct_results_count_it(live_server, browser,
                                                                     screenshot):
    communes = make.geography()
    session = make.session(make.course("Gérer une crise sur son territoire"),
                           communes["Beauvais"], capacity=10)
    end = timezone.now() - timedelta(hours=1)
    Session.objects.filter(pk=session.pk).update(start=end - timedelta(hours=7), end=end)
    session.refresh_from_db()
    day, period = session.half_days()[0]
    elus = []
    for email, last_name in [("claire@mairie.fr", "Martin"), ("paul@mairie.fr", "Durand")]:
        elu = people.user(email=email, first_name=email.split("@")[0].title(),
                          last_name=last_name)
        enrolment = Enrolment.objects.create(session=session, user=elu, status="confirmed")
        Attendance.objects.create(enrolment=enrolment, day=day, period=period,
                                  status="present")
        elus.append(elu)
    tasks.send_surveys()  # (in CI a real worker may have run it first: what counts is the result)
    assert SurveyInvitation.objects.filter(enrolment__session=session).count() == 2

    context, page = signed_in_page(browser, live_server, elus[0], viewport=PHONE)
    page.goto(f"{live_server.url}/espace/")
    page.get_by_role("link", name=re.compile("Gérer une crise sur son territoire.*questionnaire")
                     ).click()
    page.wait_for_url(re.compile(r"/questionnaire/"))
    page.get_by_role("button", name="Envoyer mes réponses").click()
    assert page.get_by_role("alert").first.is_visible()
    assert "questions à compléter" in page.get_by_role("alert").first.inner_text()
    screenshot(page, "errors")
    invitation = SurveyInvitation.objects.get(enrolment__user=elus[0])
    for question in invitation.question_set.questions.all():
        if question.kind == "likert":
            page.locator(f"input[name='q{question.pk}'][value='4']").check(force=True)
        else:
            page.locator(f"[name='q{question.pk}']").fill("Des cas concrets, merci.")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Envoyer mes réponses").click()
    page.wait_for_load_state()
    screenshot(page, "thanks")
    assert not page.get_by_role("button", name="Envoyer mes réponses").count()
    context.close()

    admin = make.staff_user(Role.ANCT_ADMIN)
    context, page = signed_in_page(browser, live_server, admin,
                                   viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/tableau-de-bord/questionnaires/session/{session.pk}/")
    body = page.locator("main").inner_text()
    assert "50 %" in body  # one of the two present answered
    assert "4,0 sur 5" in body and "Des cas concrets, merci." in body
    assert "Martin" not in body and "claire@mairie.fr" not in body
    screenshot(page, "results")
    context.close()
