# Placeholder until this module is written; every name here answers 404.
from django.http import Http404
from django.views import View


class _Placeholder(View):
    def dispatch(self, request, *args, **kwargs):
        raise Http404


def _placeholder(request, *args, **kwargs):
    raise Http404


recap = _placeholder
recap_export = _placeholder
