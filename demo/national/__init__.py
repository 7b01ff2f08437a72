"""A national-scale data set (``seed_national``): elected officials with mandates over the
real communes, Académie sessions and enrolments, and a Conseillers numériques deployment
with millions of activity reports. See ``generate.py``."""
