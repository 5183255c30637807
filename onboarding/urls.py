from django.urls import path

from onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("onboarding/", views.board, name="board"),
    path("onboarding/me/", views.me, name="me"),
    path("onboarding/<id:enrollment_id>/", views.journey, name="journey"),
    path("onboarding/<id:enrollment_id>/buddy/", views.change_buddy, name="buddy"),
    path("onboarding/<id:enrollment_id>/end/", views.end_journey, name="end"),
    path("onboarding/tasks/<id:task_id>/done/", views.task_done, name="task_done"),
    path("onboarding/journeys/", views.journeys, name="journeys"),
    path(
        "onboarding/journeys/<id:journey_id>/",
        views.edit_journey,
        name="edit_journey",
    ),
    path("onboarding/steps/<id:step_id>/", views.edit_step, name="edit_step"),
    path("onboarding/import/", views.import_starters, name="import"),
    path("onboarding/enroll/", views.enroll, name="enroll"),
    path("tasks/", views.my_tasks, name="tasks"),
    path("tasks/new/", views.new_task, name="new_task"),
]
