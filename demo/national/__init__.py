"""A national-scale data set (``seed_national``): elected officials with mandates over the
real communes, Académie sessions and enrolments, and a Conseillers numériques deployment
with millions of activity reports.

``generate.NationalSeed`` runs the parts in order; each part is a mixin in the module named
after its job: ``geography`` (the communes drawn over), ``officials`` (mandates), ``staff``
(ANCT and préfets), ``structures`` (applications, opinions, conventions, amendments),
``contracts`` (advisors and their contracts), ``service_points``, ``reports`` (activity
reports) and ``courses`` (Académie). ``common`` holds the volumes and shared helpers,
``writer`` the fast row writing, ``names`` the word lists."""
