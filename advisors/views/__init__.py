"""Front-end pages of the Conseillers numériques programme (``/conseillers-numeriques/``).

Thin views: a form, one call to ``advisors.services``, a French message. Every object is
fetched through ``visible_to``/``editable_by``, so another party's object is a 404."""
