"""Driving the Django admin over HTTP as a browser would: read a change form, change some
values, send it; delete one object or several through the admin's own pages."""

from typing import Any

from django.db import models
from django.forms import MultiWidget
from django.urls import reverse


def admin_url(model: type[models.Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_data(client: Any, url: str) -> dict[str, Any]:
    """The values the admin form at ``url`` would send unchanged (files not sent again)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        widget = field.widget
        if isinstance(widget, MultiWidget):
            parts = widget.decompress(value) if value is not None else []
            for suffix, part, sub in zip(widget.widgets_names, parts, widget.widgets, strict=False):
                if part is not None:
                    data[f"{name}{suffix}"] = sub.format_value(part)
        elif value is None or isinstance(value, models.fields.files.FieldFile):
            continue
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        else:
            data[name] = str(value)
    return data


def post_form(client: Any, url: str, data: dict[str, Any]) -> Any:
    """Send an admin form; it must be accepted (the admin redirects)."""
    response = client.post(url, data)
    if response.status_code == 200 and response.context and "adminform" in response.context:
        raise AssertionError(response.context["adminform"].form.errors.as_text())
    assert response.status_code == 302, response.status_code
    return response


def change(client: Any, obj: models.Model, **values: Any) -> Any:
    """Change ``values`` in ``obj``'s admin form, keep the rest, and save."""
    url = admin_url(type(obj), "change", obj.pk)
    data = form_data(client, url)
    for name, value in values.items():
        if value is False or value is None:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    return post_form(client, url, data)


def delete(client: Any, obj: models.Model) -> Any:
    """Delete ``obj`` on its admin delete page (confirmed)."""
    response = client.post(admin_url(type(obj), "delete", obj.pk), {"post": "yes"})
    assert response.status_code == 302, response.status_code
    return response


def delete_selected(client: Any, model: type[models.Model], objects: list[models.Model]) -> Any:
    """Delete several objects with the change list's bulk action (confirmed)."""
    response = client.post(
        admin_url(model, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [str(obj.pk) for obj in objects],
            "post": "yes",
        },
    )
    assert response.status_code == 302, response.status_code
    return response


def run_action(client: Any, model: type[models.Model], action: str, objects: list[Any]) -> Any:
    """Apply one of the change list's actions to ``objects``."""
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [str(obj.pk) for obj in objects]},
    )
