import pytest

from . import factories as make


@pytest.fixture
def communes():
    """Paris (75, Île-de-France), Beauvais and Compiègne (60, Hauts-de-France),
    Lille (59, Hauts-de-France)."""
    return make.geography()


@pytest.fixture
def admin(db):
    return make.admin()


@pytest.fixture
def manager(db):
    return make.user(email="gestionnaire@mairie-beauvais.fr")


@pytest.fixture
def structure(communes, manager):
    """A structure of Beauvais (Oise) with 2 granted posts."""
    return make.validated_structure(communes["Beauvais"], posts=2, manager=manager)


@pytest.fixture
def oise_prefect(communes):
    return make.prefect(department=communes["Beauvais"].department)


@pytest.fixture
def advisor(structure):
    """Inès, under contract with the structure (the report form and its corrections)."""
    advisor = make.advisor(account=make.user(email="ines@conseiller-numerique.fr"))
    make.contract(structure, advisor)
    return advisor


@pytest.fixture
def place(structure, advisor, communes):
    """A service point in Beauvais."""
    return make.service_point(structure, [advisor], name="Médiathèque du Quadrilatère",
                              commune=communes["Beauvais"])


@pytest.fixture
def advisor_client(client, advisor):
    client.force_login(advisor.user)
    return client
