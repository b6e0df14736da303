"""Partners (BLK, LPK, UMKM, others) and their agreements (PKS): facility readers only."""

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from inmates.photos import photo_response
from lapas_training.access import MANAGERS, READERS, RoleRequiredMixin, role_required
from lapas_training.models import User
from programs.forms.partners import AgreementForm, PartnerFilterForm, PartnerForm
from programs.models import Partner, PartnerAgreement, ProgramPartner


class PartnerListView(RoleRequiredMixin, ListView):
    roles = READERS
    template_name = "programs/partner_list.html"
    context_object_name = "partners"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = PartnerFilterForm(self.request.GET)
        partners = (
            Partner.objects.in_scope(self.request.scope)
            .annotate(program_count=Count("program_links", distinct=True))
            .prefetch_related(
                # The first one is the agreement that runs longest: the one whose state we flag.
                Prefetch(
                    "agreements",
                    queryset=PartnerAgreement.objects.order_by("-valid_to", "-valid_from"),
                    to_attr="agreements_by_end",
                )
            )
            .order_by("name")
        )
        if self.filter_form.is_valid():
            if kind := self.filter_form.cleaned_data["kind"]:
                partners = partners.filter(kind=kind)
            if text := self.filter_form.cleaned_data["q"].strip():
                partners = partners.filter(name__icontains=text)
            start = self.filter_form.cleaned_data["agreement_from"]
            end = self.filter_form.cleaned_data["agreement_to"]
            if start or end:
                valid = PartnerAgreement.objects.all()
                if start:
                    valid = valid.filter(valid_to__gte=start)
                if end:
                    valid = valid.filter(valid_from__lte=end)
                partners = partners.filter(pk__in=valid.values("partner"))
        return partners

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


class PartnerDetailView(RoleRequiredMixin, DetailView):
    roles = READERS
    template_name = "programs/partner_detail.html"
    context_object_name = "partner"

    def get_queryset(self):
        return Partner.objects.in_scope(self.request.scope).prefetch_related(
            Prefetch("agreements", queryset=PartnerAgreement.objects.order_by("-valid_to")),
            Prefetch(
                "trainers", queryset=User.objects.order_by("first_name", "last_name", "username")
            ),
            Prefetch(
                "program_links",
                queryset=ProgramPartner.objects.select_related("program").order_by(
                    "-program__start_date", "program__title"
                ),
            ),
        )


@require_safe
@role_required(READERS)
def partner_logo(request, pk):
    """The partner's uploaded logo, to those who may open the partner's page; 404 when none."""
    partner = get_object_or_404(Partner.objects.in_scope(request.scope), pk=pk)
    response = photo_response(partner.logo)
    # `sanitize_logo` stores PNGs. This address stays when the logo is replaced, so the browser
    # asks again each time rather than showing the old logo from its cache.
    response["Content-Type"] = "image/png"
    response["Cache-Control"] = "private, no-cache"
    return response


class PartnerFormMixin(RoleRequiredMixin):
    roles = MANAGERS
    form_class = PartnerForm
    template_name = "programs/partner_form.html"
    context_object_name = "partner"

    def get_queryset(self):
        return Partner.objects.in_scope(self.request.scope)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "facility": self.request.scope.facility}

    def form_valid(self, form):
        partner = form.instance
        old_logo = partner.logo.name
        if logo := form.cleaned_data["logo"]:
            partner.logo.save(logo.name, logo, save=False)
        elif form.cleaned_data.get("remove_logo"):
            partner.logo = ""
        response = super().form_valid(form)
        # Only once the row points at the new file: a failed save keeps the old logo whole.
        if old_logo and old_logo != partner.logo.name:
            partner.logo.storage.delete(old_logo)
        messages.success(self.request, self.success_message % {"name": self.object})
        return response


class PartnerCreateView(PartnerFormMixin, CreateView):
    success_message = gettext_lazy("The partner %(name)s was added.")

    def form_valid(self, form):
        form.instance.facility = self.request.scope.facility
        return super().form_valid(form)


class PartnerUpdateView(PartnerFormMixin, UpdateView):
    success_message = gettext_lazy("The partner %(name)s was saved.")


class AgreementFormMixin(RoleRequiredMixin):
    roles = MANAGERS
    form_class = AgreementForm
    template_name = "programs/agreement_form.html"
    context_object_name = "agreement"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "partner": self.partner}

    def get_context_data(self, **kwargs):
        return super().get_context_data(partner=self.partner, **kwargs)


class AgreementCreateView(AgreementFormMixin, CreateView):
    @cached_property
    def partner(self):
        # Fetched lazily, after the role check: an anonymous user is sent to log in, not a 404.
        return get_object_or_404(Partner.objects.in_scope(self.request.scope), pk=self.kwargs["pk"])

    def form_valid(self, form):
        form.instance.partner = self.partner
        response = super().form_valid(form)
        messages.success(
            self.request, _("The agreement %(number)s was added.") % {"number": self.object}
        )
        return response


class AgreementUpdateView(AgreementFormMixin, UpdateView):
    @property
    def partner(self):
        return self.object.partner

    def get_queryset(self):
        return PartnerAgreement.objects.filter(
            partner__facility=self.request.scope.facility
        ).select_related("partner")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request, _("The agreement %(number)s was saved.") % {"number": self.object}
        )
        return response
