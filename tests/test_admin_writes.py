"""No back doors: every model in the admin has its writes tested, and none of them saves or
deletes past the app's actions.

Each app's ``tests/<app>/test_admin.py`` drives the admin over HTTP and names the models it
covers in ``COVERED_MODELS``. A model registered in the admin without such tests fails
here, as does a model admin that lets admins save or delete with Django's default
``save_model`` / ``delete_model`` (a bare ``.save()`` / ``.delete()``).
"""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from tests.accounts import test_admin as accounts
from tests.blog import test_admin as blog
from tests.comments import test_admin as comments
from tests.core import test_admin as core
from tests.events import test_admin as events
from tests.moderation import test_admin as moderation
from treffpunkt.core.admin import ThroughActionsAdmin

COVERED = set().union(
    *(module.COVERED_MODELS for module in (accounts, blog, comments, core, events, moderation))
)


def test_every_model_in_the_admin_has_tests_of_its_writes():
    registered = set(admin.site._registry)
    assert {model._meta.label for model in registered - COVERED} == set(), (
        "Registered in the admin without tests of what the admin writes"
    )
    assert {model._meta.label for model in COVERED - registered} == set()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model_admin", list(admin.site._registry.values()), ids=lambda a: a.model._meta.label
)
def test_no_model_admin_writes_past_the_actions(model_admin, admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    saves = model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
    deletes = model_admin.has_delete_permission(request)
    if saves or deletes:
        assert isinstance(model_admin, ThroughActionsAdmin)
    if saves:
        assert type(model_admin).save_model is not admin.ModelAdmin.save_model
    if deletes:
        assert type(model_admin).delete_model is not admin.ModelAdmin.delete_model
    assert not model_admin.list_editable
