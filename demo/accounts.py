from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role

DEMO_PASSWORD = "Demo-ANCT-2026!"

# (email, first name, last name, role or None, is_staff, is_superuser)
DEMO_ACCOUNTS = [
    ("admin@demo.anct.fr", "Camille", "Durand", Role.ANCT_ADMIN, True, True),
    ("editeur@demo.anct.fr", "Louis", "Moreau", Role.ANCT_EDITOR, True, False),
    ("prefet@demo.anct.fr", "Hélène", "Garnier", Role.PREFET, False, False),
    ("structure@demo.anct.fr", "Nadia", "Benali", Role.STRUCTURE_MANAGER, False, False),
    ("conseiller@demo.anct.fr", "Thomas", "Lefebvre", Role.ADVISOR, False, False),
    ("coordinateur@demo.anct.fr", "Sophie", "Martin", Role.COORDINATOR, False, False),
    ("elu@demo.anct.fr", "Jean", "Dupont", None, False, False),
    ("formateur@demo.anct.fr", "Anne", "Leroy", Role.TRAINER, False, False),
]


def create_demo_accounts():
    """One verified account per role, all with DEMO_PASSWORD; safe to run again."""
    accounts = []
    for email, first, last, role, is_staff, is_superuser in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            email=email,
            defaults={"first_name": first, "last_name": last, "is_staff": is_staff,
                      "is_superuser": is_superuser},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        accounts.append((email, role.value if role else "Élu local"))
    return accounts
