from .views import home

urlpatterns = [
    *home.urlpatterns,
]
