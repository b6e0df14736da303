"""What the certificate views share: the facility's certificates, and errors as messages."""

from django.contrib import messages

from certificates.models import Certificate


def facility_certificates(request):
    """The certificates of the request's facility: anything else answers 404."""
    return Certificate.objects.filter(facility=request.scope.facility)


def error_messages(request, error):
    """A service's ValidationError, one message per problem, for the page redirected to."""
    for message in error.messages:
        messages.error(request, message)


def form_errors(request, form):
    """A form's errors as "Label: error" messages, for forms answered by a redirect."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
