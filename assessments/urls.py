from .views import compare, home, manager, participant, reports, rounds

urlpatterns = [
    *home.urlpatterns,
    *rounds.urlpatterns,
    *participant.urlpatterns,
    *manager.urlpatterns,
    *compare.urlpatterns,
    *reports.urlpatterns,
]
