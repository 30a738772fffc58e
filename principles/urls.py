from django.urls import path

from . import views

urlpatterns = [
    path("ramverk/", views.framework, name="framework"),
]
