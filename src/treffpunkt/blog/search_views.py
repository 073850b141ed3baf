"""The search page: /search/?q=…"""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from treffpunkt.blog import search as blog_search

# The search form lives with its only view; it is a single field.


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search for"),
        required=False,
        max_length=blog_search.MAX_QUERY_LENGTH,
        error_messages={
            "max_length": gettext_lazy(
                "Please search with at most %(limit_value)d characters (you typed %(show_value)d)."
            ),
        },
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def clean_q(self) -> str:
        text = " ".join(self.cleaned_data["q"].split())
        if len(text.split()) > blog_search.MAX_QUERY_WORDS:
            raise ValidationError(
                _("Please search with at most %(count)d words.")
                % {"count": blog_search.MAX_QUERY_WORDS},
                code="too_many_words",
            )
        return text


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET if "q" in request.GET else None)
    context: dict[str, object] = {"form": form, "results": None, "notice": ""}
    if not form.is_bound:
        return render(request, "blog/search.html", context)
    if not form.is_valid():
        return render(request, "blog/search.html", context, status=400)
    query = form.cleaned_data["q"]
    parsed = blog_search.parse_query(query)
    if not query:
        context["notice"] = _("Please type what you are looking for.")
    elif not parsed.is_usable():
        context["notice"] = _(
            "Please search for at least one word of two or more letters that is not a "
            "common word like “and” or “the”."
        )
    else:
        context["results"] = blog_search.search_posts(parsed, request.GET.get("page"))
        context["query"] = query
    return render(request, "blog/search.html", context)
