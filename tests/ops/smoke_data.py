"""Data of the `make prod` smoke test, written into its database by a process of its own
(production settings): a verified élu account and an open session of a published course
for everyone. Safe to run again: the account and course are reused, the session is new (the last
run's session and enrolment are deleted).
Prints the session's id."""

import django

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402

from academy.models import Audience, CoursePage, Enrolment, Session  # noqa: E402
from accounts.models import User  # noqa: E402
from tests import factories  # noqa: E402

EMAIL = "smoke-elu@example.org"
PASSWORD = "Fumee-Essai-2026!"
TITLE = "Formation du test de fumée"

user = User.objects.filter(email=EMAIL).first() or User.objects.create_user(
    email=EMAIL, password=PASSWORD, first_name="Camille", last_name="Essai")
EmailAddress.objects.update_or_create(user=user, email=EMAIL,
                                      defaults={"verified": True, "primary": True})
page = CoursePage.objects.filter(title=TITLE).first() or factories.course(
    title=TITLE, audience=Audience.ALL)
# The last run's session and enrolment would make the enrolment ask questions first.
Enrolment.objects.filter(user=user).delete()
Session.objects.filter(course=page).delete()
session = factories.session(page, capacity=1000)
print(session.pk)
