from django.contrib import admin

from onboarding.models import Enrollment, Journey, Step, Task


class StepInline(admin.TabularInline):
    model = Step
    fields = ["due_day", "title", "owner", "link"]
    extra = 0


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    inlines = [StepInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["person", "journey", "start_date", "buddy", "ended_at"]
    raw_id_fields = ["person", "buddy", "enrolled_by", "space", "welcome_post"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "assignee", "due_date", "status"]
    list_filter = ["status"]
    raw_id_fields = ["assignee", "done_by", "enrollment", "step"]
