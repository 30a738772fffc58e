from django.urls import path

from . import views

urlpatterns = [
    path("ramverk/", views.framework, name="framework"),
    path("guide/", views.guide, name="guide"),
    path("tillganglighet/", views.accessibility, name="accessibility"),
]
