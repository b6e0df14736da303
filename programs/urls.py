from django.urls import path

from programs.views import enrollments, events, partners, photos, products, programs, sessions

app_name = "programs"

urlpatterns = [
    # Partners and their agreements
    path("partners/", partners.PartnerListView.as_view(), name="partner_list"),
    path("partners/new/", partners.PartnerCreateView.as_view(), name="partner_create"),
    path("partners/<int:pk>/", partners.PartnerDetailView.as_view(), name="partner_detail"),
    path("partners/<int:pk>/edit/", partners.PartnerUpdateView.as_view(), name="partner_update"),
    path("partners/<int:pk>/logo/", partners.partner_logo, name="partner_logo"),
    path(
        "partners/<int:pk>/agreements/new/",
        partners.AgreementCreateView.as_view(),
        name="agreement_create",
    ),
    path(
        "agreements/<int:pk>/edit/", partners.AgreementUpdateView.as_view(), name="agreement_update"
    ),
    # Programs, their topics and partners
    path("programs/", programs.ProgramListView.as_view(), name="program_list"),
    path("programs/new/", programs.ProgramCreateView.as_view(), name="program_create"),
    path("programs/<int:pk>/", programs.ProgramDetailView.as_view(), name="program_detail"),
    path("programs/<int:pk>/edit/", programs.ProgramUpdateView.as_view(), name="program_update"),
    path(
        "programs/<int:pk>/partners/add/",
        programs.program_partner_add,
        name="program_partner_add",
    ),
    path(
        "program-partners/<int:pk>/remove/",
        programs.program_partner_remove,
        name="program_partner_remove",
    ),
    # Program events (opening, closing, others) with their guests
    path("programs/<int:pk>/events/new/", events.EventCreateView.as_view(), name="event_create"),
    path("events/<int:pk>/edit/", events.EventUpdateView.as_view(), name="event_update"),
    path("events/<int:pk>/delete/", events.event_delete, name="event_delete"),
    # Sessions
    path("sessions/", sessions.SessionListView.as_view(), name="session_list"),
    path(
        "programs/<int:pk>/sessions/new/",
        sessions.SessionCreateView.as_view(),
        name="session_create",
    ),
    path(
        "programs/<int:pk>/sessions/generate/",
        sessions.session_generate,
        name="session_generate",
    ),
    path("sessions/<int:pk>/", sessions.SessionDetailView.as_view(), name="session_detail"),
    path("sessions/<int:pk>/edit/", sessions.SessionUpdateView.as_view(), name="session_update"),
    path("sessions/<int:pk>/cancel/", sessions.session_cancel, name="session_cancel"),
    # Enrolment
    path("programs/<int:pk>/enroll/", enrollments.enroll, name="enroll"),
    path(
        "enrollments/<int:pk>/withdraw/",
        enrollments.enrollment_withdraw,
        name="enrollment_withdraw",
    ),
    # Session documentation and product photos (hasil karya)
    path("sessions/<int:pk>/photos/add/", photos.session_photo_add, name="session_photo_add"),
    path("session-photos/<int:pk>/", photos.session_photo, name="session_photo"),
    path(
        "session-photos/<int:pk>/thumbnail/",
        photos.session_photo,
        {"thumbnail": True},
        name="session_photo_thumbnail",
    ),
    path(
        "session-photos/<int:pk>/delete/",
        photos.session_photo_delete,
        name="session_photo_delete",
    ),
    path("programs/<int:pk>/products/add/", photos.product_photo_add, name="product_photo_add"),
    path("product-photos/<int:pk>/", photos.product_photo, name="product_photo"),
    path(
        "product-photos/<int:pk>/thumbnail/",
        photos.product_photo,
        {"thumbnail": True},
        name="product_photo_thumbnail",
    ),
    path(
        "product-photos/<int:pk>/delete/",
        photos.product_photo_delete,
        name="product_photo_delete",
    ),
    # Products (hasil karya): batches, sales, refunds, losses and the revenue split
    path("programs/<int:pk>/products/", products.program_products, name="program_products"),
    path("programs/<int:pk>/products/new/", products.product_create, name="product_create"),
    path("programs/<int:pk>/sales/new/", products.sale_create, name="sale_create"),
    path("programs/<int:pk>/losses/new/", products.loss_create, name="loss_create"),
    path(
        "programs/<int:pk>/pnbp-deposits/new/",
        products.deposit_create,
        name="deposit_create",
    ),
    path(
        "programs/<int:pk>/revenue-split/",
        products.revenue_split_edit,
        name="revenue_split_edit",
    ),
    path("products/", products.product_list, name="product_list"),
    path("products/rollup/", products.product_rollup, name="product_rollup"),
    path("products/export.<str:fmt>", products.product_list_export, name="product_list_export"),
    path("products/<int:pk>/", products.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", products.product_update, name="product_update"),
    path("products/<int:pk>/batches/new/", products.batch_create, name="batch_create"),
    path("products/<int:pk>/photos/link/", products.product_photo_link, name="product_photo_link"),
    path("sales/<int:pk>/refund/", products.sale_refund, name="sale_refund"),
    path("sales/<int:pk>/receipt/", products.sale_receipt, name="sale_receipt"),
]
