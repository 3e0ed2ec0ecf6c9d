from django.urls import path

from meetings import agenda_views as views

app_name = "meetings_agenda"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("emergency/new/", views.emergency_new, name="emergency_new"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/case-list/", views.case_list, name="case_list"),
    path("<int:pk>/case-list.docx", views.case_list_docx, name="case_list_docx"),
    path("<int:pk>/case-list/release/", views.release, name="release"),
    path("<int:pk>/case-list/send-update/", views.send_update, name="send_update"),
    path("<int:pk>/listings/<int:listing_pk>/bring-forward/", views.bring_forward, name="bring_forward"),
    path("<int:pk>/listings/<int:listing_pk>/send-back/", views.send_back, name="send_back"),
    path("<int:pk>/listings/<int:listing_pk>/information-only/", views.information_only, name="information_only"),
    path(
        "<int:pk>/listings/<int:listing_pk>/information-only/agree/",
        views.information_only_agree,
        name="information_only_agree",
    ),
    path("<int:pk>/listings/<int:listing_pk>/recheck/", views.recheck, name="recheck"),
    path("<int:pk>/listings/<int:listing_pk>/hold-over/", views.hold_over, name="hold_over"),
    path("<int:pk>/listings/<int:listing_pk>/take-off/", views.take_off_agenda, name="take_off"),
]
