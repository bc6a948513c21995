from django.shortcuts import render

from ggzy.core.permissions import PUBLIC, requires


@requires(PUBLIC)
def entity_list_view(request):
    return render(request, "placeholder.html", {"title": "市场主体"})


@requires(PUBLIC)
def entity_apply_view(request):
    return render(request, "placeholder.html", {"title": "主体注册"})
