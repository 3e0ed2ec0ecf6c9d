from django.urls import path

from actions import tracking_views as views

app_name = "actions"
urlpatterns = [
    path("", views.action_index, name="index"),
    path("mine/", views.my_actions, name="mine"),
    path("cannot-complete/", views.cannot_complete, name="cannot_complete"),
    path("<int:pk>/done/", views.action_done, name="done"),
    path("<int:pk>/cannot/", views.action_cannot, name="cannot"),
    path("<int:pk>/resolve/", views.action_resolve, name="resolve"),
    path("<int:pk>/reopen/", views.action_reopen_done, name="reopen_done"),
    path("meetings/<int:pk>/summary/", views.summary, name="summary"),
    path("meetings/<int:pk>/summary/circulate/", views.summary_circulate, name="summary_circulate"),
    path("meetings/<int:pk>/summary.docx", views.summary_docx, name="summary_docx"),
    path("meetings/<int:pk>/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("cases/<int:pk>/record.docx", views.family_record_download, name="family_record"),
]
