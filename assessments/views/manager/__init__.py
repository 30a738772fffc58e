"""The manager's side of a self-assessment, by what the manager does: running it
(``running``), the meeting (``dialogue``, ``agreements``, ``actions``) and completing it
(``completion``). Rules live in ``workflow``, ``agreements`` and ``disclosure``; views only
wire them up, and every lookup goes through ``common.managed`` (another unit's assessment is
a 404, for quality developers too).
"""

from django.urls import path

from .actions import action_create, action_delete, action_edit, action_status
from .agreements import agree_balance, agree_dimension, agree_principle
from .common import join_url, person
from .completion import complete
from .dialogue import dialogue, dialogue_status, save_field
from .followup import action_rate
from .presenter import presenter, presenter_item_status
from .running import assessment_page, show_code, take_step

__all__ = ["join_url", "person", "urlpatterns"]

urlpatterns = [
    path("skattning/<int:pk>/", assessment_page, name="manager_assessment"),
    path("skattning/<int:pk>/kod/", show_code, name="manager_show_code"),
    path("skattning/<int:pk>/steg/<slug:step>/", take_step, name="manager_step"),
    path("skattning/<int:pk>/dialog/", dialogue, name="manager_dialogue"),
    path("skattning/<int:pk>/dialog/status/", dialogue_status, name="manager_dialogue_status"),
    path("skattning/<int:pk>/dialog/visning/", presenter, name="manager_presenter"),
    path(
        "skattning/<int:pk>/dialog/visning/<slug:item>/",
        presenter,
        name="manager_presenter_item",
    ),
    path(
        "skattning/<int:pk>/dialog/visning/<slug:item>/status/",
        presenter_item_status,
        name="manager_presenter_item_status",
    ),
    path("skattning/<int:pk>/dialog/spara/", save_field, name="manager_save_field"),
    path(
        "skattning/<int:pk>/overenskommelse/princip/<int:principle_pk>/",
        agree_principle,
        name="manager_agree_principle",
    ),
    path(
        "skattning/<int:pk>/overenskommelse/dimension/<int:dimension_pk>/",
        agree_dimension,
        name="manager_agree_dimension",
    ),
    path(
        "skattning/<int:pk>/overenskommelse/balans/<slug:kind>/",
        agree_balance,
        name="manager_agree_balance",
    ),
    path("skattning/<int:pk>/atgarder/ny/", action_create, name="manager_action_create"),
    path("skattning/<int:pk>/atgarder/<int:action_pk>/", action_edit, name="manager_action_edit"),
    path(
        "skattning/<int:pk>/atgarder/<int:action_pk>/ta-bort/",
        action_delete,
        name="manager_action_delete",
    ),
    path(
        "skattning/<int:pk>/atgarder/<int:action_pk>/status/",
        action_status,
        name="manager_action_status",
    ),
    path(
        "skattning/<int:pk>/uppfoljning/<int:action_pk>/",
        action_rate,
        name="manager_action_rate",
    ),
    path("skattning/<int:pk>/avsluta/", complete, name="manager_complete"),
]
