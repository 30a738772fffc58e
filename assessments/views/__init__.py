"""Views by area; each module keeps its own `urlpatterns`, collected in assessments/urls.py."""
