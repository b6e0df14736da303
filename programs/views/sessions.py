# Placeholder until this module is written; every name here answers 404.
from django.http import Http404
from django.views import View


class _Placeholder(View):
    def dispatch(self, request, *args, **kwargs):
        raise Http404


def _placeholder(request, *args, **kwargs):
    raise Http404


SessionListView = _Placeholder
SessionCreateView = _Placeholder
session_generate = _placeholder
SessionDetailView = _Placeholder
SessionUpdateView = _Placeholder
session_cancel = _placeholder
